/** Failures that stop the broker from starting, worded for a person rather than as a stack trace. */

/** The broker could not start; the message is one readable line. */
export class StartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartError';
  }
}

/** Why binding failed, in words, from the system error code. */
const BIND_ERRORS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'address already in use (another process is listening there)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'address not available (it does not belong to this machine)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name could not be resolved',
};

/** Explains why a listener could not bind `host:port`. */
export function describeListenError(
  error: unknown,
  listener: { id: string; host: string; port: number },
): StartError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const why =
    (code === undefined ? undefined : BIND_ERRORS[code]) ??
    (error instanceof Error ? error.message : String(error));
  return new StartError(
    `cannot listen on ${listener.host}:${listener.port} (listener ${listener.id}): ${why}`,
    {
      cause: error,
    },
  );
}

/**
 * Turns SIGINT and SIGTERM into a graceful stop, and a second signal into an immediate exit; SIGHUP
 * into a reload.
 */

/** The signals that stop the broker. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
/** One of `STOP_SIGNALS`. */
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The signal that reloads the password and ACL files. */
export const RELOAD_SIGNAL = 'SIGHUP';

/** Where signals come from: `process`, or a test's emitter. */
export interface SignalSource {
  on(signal: StopSignal | typeof RELOAD_SIGNAL, listener: () => void): unknown;
  off(signal: StopSignal | typeof RELOAD_SIGNAL, listener: () => void): unknown;
}

/** The conventional exit status of a process ended by a signal: 128 + its number. */
export const FORCED_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Watches for stop signals until disposed. */
export interface StopSignals {
  /** Resolves with the first stop signal. */
  readonly stopped: Promise<StopSignal>;
  /** Removes the handlers, restoring the default behaviour (exit on the signal). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM. The first resolves `stopped`; any later one calls `onForce`, for
 * when a graceful stop hangs and the operator presses Ctrl-C again.
 */
export function watchStopSignals(source: SignalSource, onForce: (signal: StopSignal) => void): StopSignals {
  let received = false;
  let resolveStopped: (signal: StopSignal) => void = () => {};
  const stopped = new Promise<StopSignal>((resolve) => {
    resolveStopped = resolve;
  });
  const handlers = STOP_SIGNALS.map((signal) => {
    const handler = () => {
      if (received) onForce(signal);
      else {
        received = true;
        resolveStopped(signal);
      }
    };
    source.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    stopped,
    dispose: () => {
      for (const [signal, handler] of handlers) source.off(signal, handler);
    },
  };
}

/**
 * Calls `onReload` on every SIGHUP until the returned function is called. While it listens, SIGHUP no
 * longer ends the process (Node's default), which is what a daemon wants when its terminal goes away.
 */
export function watchReloadSignal(source: SignalSource, onReload: () => void): () => void {
  const handler = () => onReload();
  source.on(RELOAD_SIGNAL, handler);
  return () => {
    source.off(RELOAD_SIGNAL, handler);
  };
}

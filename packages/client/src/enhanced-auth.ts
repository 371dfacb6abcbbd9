import { type AuthPacket, type AuthProperties, MqttError, ReasonCode } from '@mqttkit/types';
import { AuthenticationError } from './errors/authentication-error.js';
import { ConnectionClosedError } from './errors/connection-closed-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import type { AuthChallengeContext } from './session/auth-flow.js';
import type { ClientSession } from './session/client-session.js';
import type { MaybePromise } from './session/inflight-store.js';

/** MQTT 5.0 enhanced authentication (section 4.12): the `auth` option of `connect()`. */
export interface EnhancedAuthOptions {
  /** The Authentication Method, e.g. `'SCRAM-SHA-256'`: sent in CONNECT and in every AUTH. */
  method: string;
  /**
   * Authentication Data for CONNECT, and for the AUTH 0x19 of a `reauthenticate()` given none. A
   * function is called for every connection attempt (reconnects included) and re-authentication, so
   * each can carry a fresh nonce or a current token.
   */
  initialData?: Uint8Array | (() => MaybePromise<Uint8Array | undefined>);
  /**
   * Answers a server AUTH 0x18 (Continue authentication): what it returns is the Authentication Data
   * of the client's AUTH 0x18. Throwing (or rejecting) abandons the exchange: the client sends
   * DISCONNECT 0x83 and closes the connection.
   */
  onChallenge(
    data: Uint8Array | undefined,
    context: AuthChallengeContext,
  ): MaybePromise<Uint8Array | undefined>;
}

/** What `reauthenticate()` resolves with: the content of the server's AUTH 0x00 (Success). */
export interface ReauthenticateResult {
  /** The server's final Authentication Data (a server proof, for instance), when it sent some. */
  readonly data: Uint8Array | undefined;
  /** The AUTH's properties (method, data, reason string, user properties). */
  readonly properties: AuthProperties | undefined;
}

/** Options of `reauthenticate()`. */
export interface ReauthenticateOptions {
  /** How long the exchange may take before the connection is given up; default 30000 ms. */
  timeoutMs?: number;
}

/** What `EnhancedAuth` needs from the connection. */
export interface EnhancedAuthHost {
  readonly session: ClientSession;
  /** Gives the current connection up with `error`, after a DISCONNECT with `reasonCode`. */
  abandon(error: Error, reasonCode: number): void;
}

interface PendingReauthentication {
  resolve(result: ReauthenticateResult): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Runs the `auth` handlers at the I/O edge, where promises and timers belong (the session stays pure):
 * the initial data of each attempt, the answer to each challenge, and the promise of `reauthenticate()`
 * with its time bound. The rules of the exchange itself live in `session/auth-flow.ts`.
 */
export class EnhancedAuth {
  readonly #options: EnhancedAuthOptions;
  readonly #host: EnhancedAuthHost;
  #pending: PendingReauthentication | undefined;

  /** A runner for `options`, acting on `host`'s session and connection. */
  constructor(options: EnhancedAuthOptions, host: EnhancedAuthHost) {
    this.#options = options;
    this.#host = host;
  }

  /** The Authentication Data of a CONNECT; rejects with `AuthenticationError` (the attempt ends unsent). */
  connectData(): Promise<Uint8Array | undefined> {
    return this.#initialData().catch((error: unknown) => {
      throw handlerFailed('auth.initialData', error);
    });
  }

  /** A server challenge (round `round`): asks `onChallenge`, then answers, or abandons the connection. */
  challenge(data: Uint8Array | undefined, context: AuthChallengeContext, round: number): void {
    const auth = this.#host.session.auth;
    Promise.resolve()
      .then(() => this.#options.onChallenge(data, context))
      .then(checkData)
      .then(
        (answer) => {
          auth.answerChallenge(round, answer);
        },
        (error: unknown) => {
          // A stale round: the connection is gone already, and with it the exchange.
          if (!auth.isAnswerDue(round)) return;
          // 0x83: the challenge was valid, but this client could not answer it (section 4.12.1: the
          // client SHOULD send DISCONNECT when authentication fails, and MUST close the connection).
          this.#host.abandon(
            handlerFailed('auth.onChallenge', error),
            ReasonCode.ImplementationSpecificError,
          );
        },
      );
  }

  /** Starts a re-authentication with `data` (default: `initialData`); see `MqttClient.reauthenticate`. */
  reauthenticate(data: Uint8Array | undefined, timeoutMs: number): Promise<ReauthenticateResult> {
    if (this.#pending !== undefined) {
      return Promise.reject(
        new MqttError('UNSPECIFIED_ERROR', 'cannot re-authenticate: a re-authentication is in progress'),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: PendingReauthentication = { resolve, reject, timer: undefined };
      this.#pending = pending;
      this.#reauthenticationData(data).then(
        (bytes) => {
          if (this.#pending !== pending) return;
          const refused = this.#host.session.auth.reauthenticate(bytes);
          if (refused !== undefined) {
            this.#pending = undefined;
            reject(refused);
            return;
          }
          pending.timer = setTimeout(() => {
            // The server's view of this client is unknown now: only a new connection settles it.
            this.#host.abandon(new TimeoutError('reauthenticate', timeoutMs), ReasonCode.UnspecifiedError);
          }, timeoutMs);
        },
        (error: Error) => {
          if (this.#pending !== pending) return;
          this.#pending = undefined;
          reject(error);
        },
      );
    });
  }

  /** The server's AUTH 0x00 ended the re-authentication. */
  reauthenticated(packet: AuthPacket): void {
    const pending = this.#take();
    pending?.resolve({ data: packet.properties?.authenticationData, properties: packet.properties });
  }

  /** The connection ended (`error` says why): a re-authentication in progress fails with it. */
  connectionEnded(error: Error): void {
    const pending = this.#take();
    if (pending === undefined) return;
    // [MQTT-4.12.1-2] A server refusing the re-authentication sends DISCONNECT and closes.
    const disconnect = ConnectionClosedError.isInstance(error) ? error.disconnect : undefined;
    pending.reject(disconnect === undefined ? error : AuthenticationError.fromDisconnect(disconnect));
  }

  /** The data of an AUTH 0x19: `data`, else `initialData`'s (whose failure sends nothing: a plain MqttError). */
  #reauthenticationData(data: Uint8Array | undefined): Promise<Uint8Array | undefined> {
    if (data !== undefined) return Promise.resolve(data);
    return this.#initialData().catch((error: unknown) => {
      const message = `cannot re-authenticate: ${failedMessage('auth.initialData', error)}`;
      throw new MqttError('UNSPECIFIED_ERROR', message, { cause: error });
    });
  }

  #initialData(): Promise<Uint8Array | undefined> {
    const initial = this.#options.initialData;
    if (typeof initial !== 'function') return Promise.resolve(initial);
    return Promise.resolve().then(initial).then(checkData);
  }

  #take(): PendingReauthentication | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending?.timer !== undefined) clearTimeout(pending.timer);
    return pending;
  }
}

/** Authentication Data from a handler: bytes or nothing; anything else is the handler's mistake. */
function checkData(data: unknown): Uint8Array | undefined {
  if (data === undefined || data instanceof Uint8Array) return data;
  throw new TypeError(`expected a Uint8Array or undefined, got ${typeof data}`);
}

function failedMessage(handler: string, error: unknown): string {
  return `${handler} failed: ${error instanceof Error ? error.message : String(error)}`;
}

function handlerFailed(handler: string, error: unknown): AuthenticationError {
  return new AuthenticationError(failedMessage(handler, error), { cause: error });
}

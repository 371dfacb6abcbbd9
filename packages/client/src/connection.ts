import { type ConnackPacket, type DisconnectPacket, type PublishPacket, ReasonCode } from '@mqttkit/types';
import type { ClientEvents, EndOptions } from './client.js';
import { EnhancedAuth, type ReauthenticateResult } from './enhanced-auth.js';
import { ConnectionClosedError } from './errors/connection-closed-error.js';
import type { ConnectionRefusedError } from './errors/connection-refused-error.js';
import { NetworkError } from './errors/network-error.js';
import { TimeoutError } from './errors/timeout-error.js';
import { Link } from './link.js';
import type { ResolvedOptions } from './options.js';
import { Backoff } from './reconnect.js';
import { ClientSession } from './session/client-session.js';
import { type PublishResult, SUCCESS } from './session/results.js';
import type { TransportOpener } from './transports/transport.js';

/** What the connection tells the client facade. */
export interface ConnectionHost {
  emit<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void;
  /** An application message arrived. */
  message(message: PublishPacket): void;
  /** The client closed for good; `error` says why (pending work was rejected with it). */
  closed(error: Error): void;
}

/**
 * Server DISCONNECT reasons after which reconnecting is wrong: another client took the session over
 * (reconnecting would take it back, and the two would fight forever), or the server sends us elsewhere.
 */
const FINAL_DISCONNECTS: ReadonlySet<number> = new Set([
  ReasonCode.SessionTakenOver,
  ReasonCode.UseAnotherServer,
  ReasonCode.ServerMoved,
]);

/** How long a closing connection may take to finish before it is destroyed. */
const CLOSE_TIMEOUT_MS = 1000;

/**
 * The client's connection lifecycle: opens transports, feeds the `ClientSession`, runs keepalive,
 * and reconnects with backoff after a loss. States:
 * `idle` → `connecting` (transport opening, then CONNECT sent) → `online` → (loss) → `waiting`
 * (backoff timer) → `connecting` ... → `closed` (ended, gave up, or refused for good).
 */
export class Connection {
  /** The protocol state machine this connection drives. */
  readonly session: ClientSession;
  readonly #options: ResolvedOptions;
  readonly #opener: TransportOpener;
  readonly #host: ConnectionHost;
  readonly #backoff: Backoff | undefined;
  readonly #auth: EnhancedAuth | undefined;
  #status: 'idle' | 'connecting' | 'online' | 'waiting' | 'closed' = 'idle';
  #link: Link | undefined;
  #attemptTimer: ReturnType<typeof setTimeout> | undefined;
  #attemptAbort: AbortController | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #firstConnect: { resolve(): void; reject(error: Error): void } | undefined;
  #ending = false;
  #idleWaiter: (() => void) | undefined;
  #drained: Promise<PublishResult> | undefined;
  #resolveDrained: (() => void) | undefined;

  /** A connection that will use `opener` to reach `options.target`. */
  constructor(options: ResolvedOptions, opener: TransportOpener, host: ConnectionHost) {
    this.#options = options;
    this.#opener = opener;
    this.#host = host;
    this.#backoff = options.reconnect === false ? undefined : new Backoff(options.reconnect);
    this.session = new ClientSession(
      {
        protocolVersion: options.protocolVersion,
        clientId: options.clientId,
        clean: options.clean,
        keepAlive: options.keepAlive,
        ...(options.username === undefined ? {} : { username: options.username }),
        ...(options.password === undefined ? {} : { password: options.password }),
        ...(options.will === undefined ? {} : { will: options.will }),
        ...(options.properties === undefined ? {} : { properties: options.properties }),
        ...(options.auth === undefined ? {} : { authenticationMethod: options.auth.method }),
        maximumPacketSize: options.maximumPacketSize,
        topicAliases: options.topicAliases,
        resubscribe: options.resubscribe,
        queueLimit: options.offlineQueueLimit,
        store: options.store,
      },
      {
        write: (frame) => this.#link?.write(frame),
        connected: (connack) => this.#onConnected(connack),
        refused: (error) => this.#onRefused(error),
        message: (message) => host.message(message),
        serverDisconnect: (packet) => this.#onServerDisconnect(packet),
        protocolError: (error) => this.#drop(error, false),
        error: (error) => host.emit('error', error),
        authChallenge: (data, context, round) => this.#auth?.challenge(data, context, round),
        reauthenticated: (packet) => this.#auth?.reauthenticated(packet),
      },
    );
    this.#auth =
      options.auth === undefined
        ? undefined
        : new EnhancedAuth(options.auth, {
            session: this.session,
            abandon: (error, reasonCode) => this.#abandon(error, reasonCode),
          });
  }

  /** True once closed for good. */
  get isClosed(): boolean {
    return this.#status === 'closed';
  }

  /** False while the transport is congested (QoS 0 publishers should wait for `drained()`). */
  get writable(): boolean {
    return this.#link?.writable ?? true;
  }

  /** Resolves once the congested transport drains (or the connection is gone). */
  drained(): Promise<PublishResult> {
    this.#drained ??= new Promise((resolve) => {
      this.#resolveDrained = () => resolve(SUCCESS);
    });
    return this.#drained;
  }

  /** Loads the in-flight store and makes the first connection; rejects and closes if it fails. */
  async start(): Promise<void> {
    this.session.restore(await this.#options.store.load());
    return new Promise((resolve, reject) => {
      this.#firstConnect = { resolve, reject };
      this.#startAttempt();
    });
  }

  /** Re-authenticates on the open connection (see `MqttClient.reauthenticate`). */
  reauthenticate(data: Uint8Array | undefined, timeoutMs: number): Promise<ReauthenticateResult> {
    if (this.#auth !== undefined) return this.#auth.reauthenticate(data, timeoutMs);
    // Without the auth option the session refuses to send any AUTH [MQTT-4.12.0-7].
    return Promise.reject(this.session.auth.reauthenticate(data));
  }

  /** Ends the client (see `MqttClient.end`); pending work is rejected with `error`. */
  async end(options: EndOptions, error: ConnectionClosedError): Promise<void> {
    if (this.#status === 'closed') return;
    this.#ending = true;
    this.#clearReconnect();
    if (this.#status === 'online' && options.force !== true && !this.session.isIdle) {
      await this.#waitIdle(options.timeoutMs ?? 10_000);
    }
    const link = this.#link;
    if (this.#status === 'online' && link !== undefined) {
      this.session.disconnect(options.reasonCode, options.properties);
      this.#link = undefined;
      await link.end(CLOSE_TIMEOUT_MS);
    }
    this.#shutdown(error, false);
  }

  #startAttempt(): void {
    this.#status = 'connecting';
    const link: Link = new Link({
      data: (chunk) => {
        if (this.#link !== link) return;
        this.session.receive(chunk);
        if (this.#idleWaiter !== undefined && this.session.isIdle) this.#idleWaiter();
      },
      drain: () => this.#onDrain(),
      closed: (error) => this.#onLinkClosed(link, error),
      ping: () => this.session.ping(),
      dead: (timeoutMs) => this.#drop(new TimeoutError('keepalive', timeoutMs), false),
    });
    this.#link = link;
    const abort = new AbortController();
    this.#attemptAbort = abort;
    const timeoutMs = this.#options.connectTimeoutMs;
    this.#attemptTimer = setTimeout(() => {
      this.#attemptTimer = undefined;
      if (this.#link === link)
        this.#drop(new TimeoutError('connect', timeoutMs, this.#options.target.url), false);
    }, timeoutMs);
    link.open(this.#opener, this.#options.target, abort.signal).then(
      () => {
        if (this.#link !== link) link.destroy();
        else if (this.#auth === undefined) this.session.connect();
        else this.#connectWithAuth(link, this.#auth);
      },
      (error: unknown) => {
        if (this.#link !== link) return;
        this.#link = undefined;
        this.#lost(new NetworkError(this.#options.target.url, error), false);
      },
    );
  }

  /** Sends CONNECT once `auth.initialData` is known (a fresh value per attempt); its failure ends the attempt. */
  #connectWithAuth(link: Link, auth: EnhancedAuth): void {
    auth.connectData().then(
      (data) => {
        if (this.#link === link) this.session.connect(data);
      },
      (error: Error) => {
        if (this.#link === link) this.#drop(error, false);
      },
    );
  }

  #onConnected(connack: ConnackPacket): void {
    this.#clearAttempt();
    this.#status = 'online';
    this.#backoff?.reset();
    const keepAlive = this.session.keepAlive;
    this.#link?.startKeepalive(keepAlive, this.#options.pingTimeoutMs ?? Math.min(keepAlive * 1000, 30_000));
    const first = this.#firstConnect;
    this.#firstConnect = undefined;
    first?.resolve();
    this.#host.emit('connect', connack);
  }

  #onRefused(error: ConnectionRefusedError): void {
    // A refusal that will repeat (credentials, client id, version) ends the client; others are retried.
    this.#drop(error, !error.isRetryable);
  }

  #onServerDisconnect(packet: DisconnectPacket): void {
    this.#host.emit('disconnect', packet);
    this.#drop(ConnectionClosedError.fromDisconnect(packet), FINAL_DISCONNECTS.has(packet.reasonCode ?? 0));
  }

  /** Gives the current connection up after telling the server why (DISCONNECT `reasonCode`, v5). */
  #abandon(error: Error, reasonCode: number): void {
    if (this.#link === undefined) return;
    this.session.disconnect(reasonCode);
    this.#drop(error, false);
  }

  /** Closes the current link on our side (after flushing what the session wrote) and handles the loss. */
  #drop(error: Error, isFinal: boolean): void {
    const link = this.#link;
    if (link === undefined) return;
    this.#link = undefined;
    // A v5 DISCONNECT explaining a protocol error may be batched: give it a chance to leave.
    void link.end(CLOSE_TIMEOUT_MS);
    this.#lost(error, isFinal);
  }

  #onLinkClosed(link: Link, cause: Error | undefined): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    const url = this.#options.target.url;
    const error =
      this.#status === 'connecting'
        ? new NetworkError(url, cause ?? new Error('the connection closed before CONNACK'))
        : cause !== undefined
          ? new NetworkError(url, cause)
          : new ConnectionClosedError(`the server closed the connection (${url})`);
    this.#lost(error, false);
  }

  /** The connection (or attempt) is gone: go offline, then reconnect, give up, or let `end` finish. */
  #lost(error: Error, isFinal: boolean): void {
    const wasOnline = this.#status === 'online';
    this.#clearAttempt();
    this.#status = 'waiting';
    this.session.connectionLost();
    this.#auth?.connectionEnded(error);
    this.#onDrain();
    this.#idleWaiter?.();
    if (this.#ending) return;
    if (wasOnline) this.#host.emit('offline', error);
    const first = this.#firstConnect;
    if (first !== undefined) {
      // connect() itself fails: the caller gets the error and the client closes without reconnecting.
      this.#firstConnect = undefined;
      this.#shutdown(error, false);
      first.reject(error);
      return;
    }
    const backoff = this.#backoff;
    if (isFinal || backoff === undefined) {
      this.#shutdown(error, true);
      return;
    }
    if (backoff.isExhausted) {
      const message = `gave up reconnecting after ${backoff.attempt} attempts: ${error.message}`;
      this.#shutdown(new ConnectionClosedError(message, { cause: error }), true);
      return;
    }
    const delayMs = backoff.next();
    this.#host.emit('reconnect', { attempt: backoff.attempt, delayMs, error });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#status === 'waiting' && !this.#ending) this.#startAttempt();
    }, delayMs);
  }

  /** Closes for good: rejects everything pending, ends iterators and requests, emits 'error' (if asked) and 'close'. */
  #shutdown(error: Error, emitError: boolean): void {
    if (this.#status === 'closed') return;
    this.#status = 'closed';
    this.#clearAttempt();
    this.#clearReconnect();
    const link = this.#link;
    this.#link = undefined;
    link?.destroy();
    const pendingError = ConnectionClosedError.isInstance(error)
      ? error
      : new ConnectionClosedError(`the client closed: ${error.message}`, { cause: error });
    this.session.failAll(pendingError);
    this.#auth?.connectionEnded(pendingError);
    this.#onDrain();
    this.#host.closed(pendingError);
    if (emitError) this.#host.emit('error', error);
    this.#host.emit('close');
  }

  #waitIdle(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiter = undefined;
        resolve();
      };
      this.#idleWaiter = done;
    });
  }

  #onDrain(): void {
    const resolve = this.#resolveDrained;
    this.#drained = undefined;
    this.#resolveDrained = undefined;
    resolve?.();
  }

  #clearAttempt(): void {
    if (this.#attemptTimer !== undefined) clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
    this.#attemptAbort?.abort();
    this.#attemptAbort = undefined;
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }
}

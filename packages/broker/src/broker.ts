import type { Duplex } from 'node:stream';
import { MemoryStore, type SessionStore } from '@mqttkit/session-store';
import { validateTopicName } from '@mqttkit/topic';
import { type MessageProperties, type QoS, ReasonCode } from '@mqttkit/types';
import type { BrokerCore } from './broker-core.js';
import { type Clock, systemClock } from './clock.js';
import { Connection, type ConnectionOrigin } from './connection/connection.js';
import { TokenBucket } from './connection/token-bucket.js';
import { DeadlineWheel } from './deadline-wheel.js';
import type { ClientInfo, Hook } from './hooks/hook.js';
import { HookRegistry } from './hooks/hook-registry.js';
import { type BrokerLimits, resolveLimits } from './limits.js';
import { type Logger, silentLogger } from './logger.js';
import { StoreWriter } from './persistence/store-writer.js';
import { createMessage, type Message, messageFromStored, retainedCopy } from './router/message.js';
import { Router } from './router/router.js';
import { WillScheduler } from './router/will-scheduler.js';
import type { Session } from './session/session.js';
import { SessionManager } from './session/session-manager.js';
import { BrokerStats } from './stats.js';
import type { Listener } from './transports/listener.js';

/** Everything a broker is built from; every field has a default. */
export interface BrokerOptions {
  /** Overrides of `DEFAULT_LIMITS`. */
  limits?: Partial<BrokerLimits>;
  /** Where sessions, retained messages and wills are kept; a fresh `MemoryStore` by default. */
  store?: SessionStore;
  /** Hooks registered in order (more can be added with `use`). */
  hooks?: readonly Hook[];
  /** A pino-compatible logger; silent by default. */
  logger?: Logger;
  /** Time source for expiry and keepalive; `Date.now` by default. */
  clock?: Clock;
  /** Response Information for v5 clients that request it: a fixed prefix or a function of the client id. */
  responseInformation?: string | ((clientId: string) => string | undefined);
  /** The embedding application's version, readable as `broker.version` (mqttkit-broker puts it in `$SYS`). */
  version?: string;
}

/** A message the broker itself publishes (for `$SYS` topics, or an embedding application). */
export interface BrokerMessage {
  topic: string;
  payload: Uint8Array | string;
  qos?: QoS;
  retain?: boolean;
  properties?: Omit<MessageProperties, 'messageExpiryInterval'> & { messageExpiryInterval?: number };
}

/** One subscription of one session, as `broker.sessionSubscriptions()` lists it. */
export interface SessionSubscription {
  readonly clientId: string;
  /**
   * User name of the client that last connected to the session (after authentication); undefined for
   * an anonymous client, and for a session whose user name is not known (`isUsernameKnown` false).
   */
  readonly username: string | undefined;
  /**
   * False for a session loaded from the store whose client has not connected since this start: the
   * store does not keep user names, so `username` says nothing about who owns it.
   */
  readonly isUsernameKnown: boolean;
  /** True while a client is connected to the session. */
  readonly isConnected: boolean;
  /** The filter as subscribed, `$share/{group}/` prefix included. */
  readonly topicFilter: string;
  /** The maximum QoS granted. */
  readonly qos: QoS;
}

const encoder = new TextEncoder();

/**
 * An MQTT 3.1 / 3.1.1 / 5.0 broker. Transport-neutral: hand it any duplex byte stream with
 * `handleConnection`, or attach listeners from `@mqttkit/broker/tcp`.
 *
 * ```ts
 * const broker = new Broker();
 * await broker.start();
 * const tcp = createTcpListener(broker, { port: 1883 });
 * await tcp.listen();
 * ```
 */
export class Broker implements BrokerCore {
  readonly limits: BrokerLimits;
  readonly clock: Clock;
  readonly hooks: HookRegistry;
  readonly logger: Logger;
  readonly stats = new BrokerStats();
  readonly store: StoreWriter;
  readonly router: Router;
  readonly wills: WillScheduler;
  readonly sessions: SessionManager;
  readonly deadlines: DeadlineWheel;
  readonly version: string;

  private readonly sessionStore: SessionStore;
  private readonly connections = new Set<Connection>();
  private readonly listeners = new Set<Listener>();
  private readonly responseInfo: BrokerOptions['responseInformation'];
  private dirty: Connection[] = [];
  private flushScheduled = false;
  private messageId = 1;
  /** `maximumConnectionRate` across all listeners, when configured. */
  private readonly connectionRate: TokenBucket | undefined;
  private state: 'new' | 'starting' | 'running' | 'closing' | 'closed' = 'new';
  private closing: Promise<void> | undefined;

  constructor(options: BrokerOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.deadlines = new DeadlineWheel(this.clock);
    this.hooks = new HookRegistry(this.logger);
    for (const hook of options.hooks ?? []) this.hooks.use(hook);
    this.sessionStore = options.store ?? new MemoryStore();
    this.store = new StoreWriter(this.sessionStore, this.logger);
    this.router = new Router(this.limits.maximumRetainedMessages);
    this.wills = new WillScheduler({
      clock: this.clock,
      store: this.store,
      hooks: this.hooks,
      logger: this.logger,
      nextMessageId: () => this.nextMessageId(),
      publish: (message, publisher, client) => {
        this.publishMessage(message, publisher, client, true);
      },
    });
    this.sessions = new SessionManager({
      limits: this.limits,
      clock: this.clock,
      store: this.store,
      router: this.router,
      stats: this.stats,
      hooks: this.hooks,
      wills: this.wills,
    });
    this.responseInfo = options.responseInformation;
    this.connectionRate =
      this.limits.maximumConnectionRate > 0
        ? new TokenBucket(this.limits.maximumConnectionRate, this.clock.now())
        : undefined;
    this.version = options.version ?? '0.0.0';
  }

  /** Register a hook after those already registered. */
  use(hook: Hook): this {
    this.hooks.use(hook);
    return this;
  }

  /** Load sessions, retained messages and pending wills from the store. Call once before accepting clients. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`broker.start() called twice (state: ${this.state})`);
    this.state = 'starting';
    const snapshot = await this.sessionStore.load();
    const messages = new Map<number, Message>();
    let maxId = 0;
    for (const stored of snapshot.sessions) {
      this.sessions.restore(stored, messages);
      for (const { message } of stored.outbound) maxId = Math.max(maxId, message.id);
    }
    for (const stored of snapshot.retained) {
      this.router.restoreRetained(retainedCopy(messageFromStored(stored)));
      maxId = Math.max(maxId, stored.id);
    }
    for (const will of snapshot.wills) maxId = Math.max(maxId, will.message.id);
    this.wills.restore(snapshot.wills);
    this.messageId = maxId + 1;
    this.state = 'running';
    this.logger.info(
      {
        sessions: snapshot.sessions.length,
        retained: snapshot.retained.length,
        wills: snapshot.wills.length,
      },
      'broker started',
    );
  }

  /** True once `start` finished and until `close` begins. */
  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Serve one client over any duplex byte stream (TCP socket, TLS socket, WebSocket stream, ...). */
  handleConnection(stream: Duplex, origin: ConnectionOrigin): Connection | undefined {
    if (this.state !== 'running') {
      stream.destroy();
      return undefined;
    }
    const connection = new Connection(this, stream, origin);
    const rate = this.connectionRate;
    if (rate !== undefined && rate.take(1, this.clock.now()) > 0) connection.overConnectionRate = true;
    this.connections.add(connection);
    return connection;
  }

  /** Track a listener so `close` stops it. Transports call this. */
  addListener(listener: Listener): void {
    this.listeners.add(listener);
  }

  /**
   * Publish a message from the broker itself (or the embedding application), routed like any client's.
   * No hook is asked and `$SYS` is allowed: the caller is trusted. The topic must still be a valid
   * topic name within the broker's limits, or subscribers would receive a PUBLISH they must treat as
   * a protocol error; an invalid one throws a TypeError. Returns how many sessions it was delivered to.
   */
  publish(input: BrokerMessage): number {
    const invalid = validateTopicName(input.topic, {
      maximumLength: this.limits.maximumTopicLength,
      maximumLevels: this.limits.maximumTopicLevels,
    });
    if (invalid !== undefined) throw new TypeError(`broker.publish: ${invalid.message}`);
    const payload = typeof input.payload === 'string' ? encoder.encode(input.payload) : input.payload;
    const { messageExpiryInterval, ...rest } = input.properties ?? {};
    const expiresAt =
      messageExpiryInterval === undefined ? undefined : this.clock.now() + messageExpiryInterval * 1000;
    const message = createMessage(
      this.nextMessageId(),
      input.topic,
      payload,
      input.qos ?? 0,
      input.retain ?? false,
      input.properties === undefined ? undefined : rest,
      expiresAt,
      undefined,
    );
    return this.publishMessage(message, undefined, undefined, false);
  }

  /**
   * Every subscription of every session, connected and offline, one entry per subscription (the
   * entries of one session come together). Lazy: revoking the subscription just listed, while
   * iterating, is safe.
   */
  *sessionSubscriptions(): IterableIterator<SessionSubscription> {
    for (const session of this.sessions.values()) {
      if (session.subscriptionCount === 0) continue;
      for (const record of session.subscriptions.values()) {
        yield {
          clientId: session.clientId,
          username: session.username,
          isUsernameKnown: session.isUsernameKnown,
          isConnected: session.link !== undefined,
          topicFilter: record.topicFilter,
          qos: record.qos,
        };
      }
    }
  }

  /**
   * Remove one subscription of a session, connected or offline, by client id and the filter as
   * subscribed (`$share/{group}/` prefix included): it stops matching at once, is forgotten by the
   * store for a persistent session, and messages queued for the session that no remaining
   * subscription matches are dropped (`subscription-revoked`). For access control: an ACL reload
   * revokes what it no longer allows, as Mosquitto's read checks at delivery do.
   *
   * The client is not told: MQTT has no server-initiated UNSUBSCRIBE, and Mosquitto does not tell it
   * either. It simply receives nothing more on that filter, and may subscribe again (when allowed).
   * No hook is notified. Returns false when there is no session with that client id or it has no
   * subscription on exactly that filter.
   */
  revokeSubscription(clientId: string, topicFilter: string): boolean {
    return this.sessions.revokeSubscription(clientId, topicFilter);
  }

  /**
   * Stop: stop accepting connections, tell v5 clients the server is shutting down (DISCONNECT 0x8B),
   * close every connection, commit what the store still has, and close the store. The broker closes
   * these connections without a DISCONNECT from the client, so their wills are published as the spec
   * says [MQTT-3.1.2-8]; a will with a Will Delay stays in the store, to be published after a restart
   * unless its client comes back first. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.state = 'closing';
    // A listener's close resolves only once its sockets are gone, so the connections are closed
    // before it is awaited (awaiting it first would wait for the clients to leave by themselves).
    const listenersClosed = Promise.all([...this.listeners].map((listener) => listener.close()));
    for (const connection of [...this.connections]) {
      connection.close('server-shutdown', ReasonCode.ServerShuttingDown, true);
    }
    await listenersClosed;
    // Timers of a stopped broker must not fire into it: expiry and delayed wills resume after a restart.
    this.wills.stop();
    this.sessions.stop();
    await this.store.flush();
    await this.sessionStore.close();
    this.state = 'closed';
    this.logger.info({}, 'broker stopped');
  }

  // ─── BrokerCore ───────────────────────────────────────────────────────────

  scheduleFlush(connection: Connection): void {
    this.dirty.push(connection);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Once per event-loop turn: every connection written to this turn flushes in one write. */
  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    const dirty = this.dirty;
    this.dirty = [];
    for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  };

  nextMessageId(): number {
    return this.messageId++;
  }

  connectionClosed(connection: Connection): void {
    this.connections.delete(connection);
  }

  responseInformation(clientId: string): string | undefined {
    const info = this.responseInfo;
    if (info === undefined) return undefined;
    return typeof info === 'string' ? info : info(clientId);
  }

  publishMessage(
    message: Message,
    publisher: Session | undefined,
    client: ClientInfo | undefined,
    isWill: boolean,
  ): number {
    const deliveries = this.router.route(message, publisher);
    if (message.retain) this.retainMessage(message);
    if (this.hooks.has('onPublished')) {
      this.hooks.notify('onPublished', {
        client,
        message: {
          topic: message.topic,
          payload: message.payload,
          qos: message.qos,
          retain: message.retain,
          properties: message.properties,
        },
        isWill,
      });
    }
    return deliveries;
  }

  /** Keep (or clear) the retained message of a topic, and mirror that in the store. */
  private retainMessage(message: Message): void {
    const copy = retainedCopy(message);
    switch (this.router.retain(copy)) {
      case 'set':
        this.store.push({ type: 'retained.put', message: copy });
        return;
      case 'cleared':
        this.store.push({ type: 'retained.delete', topic: message.topic });
        return;
      case 'rejected-full':
        this.sessions.dropped('', message, message.qos, 'retained-store-full');
        this.logger.warn({ topic: message.topic }, 'retained store full; message not retained');
        return;
      case 'none':
        return;
    }
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.connections.size;
  }
}

import type { Clock } from './clock.js';
import type { Connection } from './connection/connection.js';
import type { DeadlineWheel } from './deadline-wheel.js';
import type { ClientInfo } from './hooks/hook.js';
import type { HookRegistry } from './hooks/hook-registry.js';
import type { BrokerLimits } from './limits.js';
import type { Logger } from './logger.js';
import type { StoreWriter } from './persistence/store-writer.js';
import type { Message } from './router/message.js';
import type { Router } from './router/router.js';
import type { WillScheduler } from './router/will-scheduler.js';
import type { Session } from './session/session.js';
import type { SessionManager } from './session/session-manager.js';
import type { BrokerStats } from './stats.js';

/**
 * What connections and flows see of the broker: shared services, no socket handling. The `Broker`
 * facade implements it; tests may build a core of their own.
 */
export interface BrokerCore {
  readonly limits: BrokerLimits;
  readonly clock: Clock;
  readonly hooks: HookRegistry;
  readonly logger: Logger;
  readonly stats: BrokerStats;
  readonly store: StoreWriter;
  readonly sessions: SessionManager;
  readonly router: Router;
  readonly wills: WillScheduler;
  /** Connect timeouts and keepalives of every connection, on one timer. */
  readonly deadlines: DeadlineWheel;
  /** Version string for `$SYS` and logs. */
  readonly version: string;
  /** Flush this connection's pending writes at the end of the current event-loop turn. */
  scheduleFlush(connection: Connection): void;
  /** A fresh message id. */
  nextMessageId(): number;
  /** Called once when a connection has closed. */
  connectionClosed(connection: Connection): void;
  /**
   * Route an accepted message, update the retained store when it has RETAIN, and notify
   * `onPublished`. Returns the number of deliveries.
   */
  publishMessage(
    message: Message,
    publisher: Session | undefined,
    client: ClientInfo | undefined,
    isWill: boolean,
  ): number;
  /** Optional Response Information for v5 clients that request it. */
  responseInformation(clientId: string): string | undefined;
}

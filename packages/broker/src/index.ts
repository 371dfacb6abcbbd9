export { Broker, type BrokerMessage, type BrokerOptions, type SessionSubscription } from './broker.js';
export type { BrokerCore } from './broker-core.js';
export { type Clock, systemClock } from './clock.js';
export type { Connection, ConnectionOrigin, ConnectionState } from './connection/connection.js';
export type {
  AuthenticateEvent,
  AuthenticateResult,
  AuthorizePublishEvent,
  AuthorizeSubscribeEvent,
  ClientInfo,
  ConnectedEvent,
  Decision,
  DenyWith,
  DisconnectCause,
  DisconnectedEvent,
  DropReason,
  EnhancedAuthEvent,
  EnhancedAuthResult,
  Hook,
  MaybePromise,
  MessageDroppedEvent,
  MessageView,
  PublishedEvent,
  SessionExpiredEvent,
  SubscribedEvent,
  UnsubscribedEvent,
} from './hooks/hook.js';
export {
  type BrokerLimits,
  DEFAULT_LIMITS,
  LISTENER_LIMIT_KEYS,
  type ListenerLimits,
  resolveLimits,
  resolveListenerLimits,
} from './limits.js';
export { type Logger, silentLogger } from './logger.js';
export { BrokerStats } from './stats.js';
export type { Listener } from './transports/listener.js';

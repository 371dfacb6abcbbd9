/**
 * Everything both entry points (Node and browser) export apart from `connect` itself.
 */

export { MqttError, type MqttErrorCode, type QoS, ReasonCode } from '@mqttkit/types';
export type { ClientEvents, EndOptions, MqttClient, PublishOptions } from './client.js';
export type { EnhancedAuthOptions, ReauthenticateOptions, ReauthenticateResult } from './enhanced-auth.js';
export { AuthenticationError } from './errors/authentication-error.js';
export { ConnectionClosedError } from './errors/connection-closed-error.js';
export { ConnectionRefusedError } from './errors/connection-refused-error.js';
export { NetworkError } from './errors/network-error.js';
export { NotAuthorizedError } from './errors/not-authorized-error.js';
export { PacketTooLargeError } from './errors/packet-too-large-error.js';
export { PublishError } from './errors/publish-error.js';
export { QueueFullError } from './errors/queue-full-error.js';
export { SubscribeError, type SubscriptionOutcome } from './errors/subscribe-error.js';
export { TimeoutError, type TimeoutOperation } from './errors/timeout-error.js';
export { UnsubscribeError } from './errors/unsubscribe-error.js';
export type { MqttMessage } from './message.js';
export type { MessageIterator, MessagesOptions } from './message-iterator.js';
export { type ConnectOptions, DEFAULT_MAXIMUM_PACKET_SIZE, type WillOptions } from './options.js';
export type { ReconnectOptions } from './reconnect.js';
export type { RequestOptions } from './request-response.js';
export type { AuthChallengeContext } from './session/auth-flow.js';
export type { ServerLimits } from './session/flow-context.js';
export {
  type InflightMessage,
  type InflightStore,
  type MaybePromise,
  MemoryInflightStore,
} from './session/inflight-store.js';
export type { PublishResult, SubscribeResult, UnsubscribeResult } from './session/results.js';
export type { SubscribeOptions, SubscriptionOptions } from './subscribe-args.js';
export type { TlsOptions, WebSocketOptions } from './transports/transport.js';

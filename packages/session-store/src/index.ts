export { MemoryStore } from './memory-store.js';
export {
  type OutboundRecord,
  type OutboundState,
  SESSION_NEVER_EXPIRES,
  type SessionRecord,
  type StoredMessage,
  type StoredSession,
  type StoreSnapshot,
  type StoreStats,
  type SubscriptionRecord,
  type WillRecord,
} from './records.js';
export type { MaybePromise, SessionStore } from './session-store.js';
export type { StoreOp, StoreOpType } from './store-op.js';

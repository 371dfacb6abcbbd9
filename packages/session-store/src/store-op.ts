import type {
  OutboundRecord,
  SessionRecord,
  StoredMessage,
  SubscriptionRecord,
  WillRecord,
} from './records.js';

/**
 * One change to a store. The broker collects the changes of one event-loop turn and hands them to
 * `SessionStore.apply` as one batch (group commit, design decision 6).
 */
export type StoreOp =
  /** Create or replace a session record. */
  | { type: 'session.put'; session: SessionRecord }
  /** Delete a session and everything that belongs to it: subscriptions, outbound, inbound ids. */
  | { type: 'session.delete'; clientId: string }
  /** Create or replace the subscription of `clientId` on `subscription.topicFilter`. */
  | { type: 'subscription.put'; clientId: string; subscription: SubscriptionRecord }
  | { type: 'subscription.delete'; clientId: string; topicFilter: string }
  /** Store a message body once; outbound entries reference it by id. */
  | { type: 'message.put'; message: StoredMessage }
  /**
   * Create or replace (by `entry.seq`) an outbound entry. Its message must have been put before, in
   * this batch or an earlier one.
   */
  | { type: 'outbound.put'; clientId: string; entry: OutboundRecord }
  /** Delete an outbound entry; a message no entry references any more is deleted with it. */
  | { type: 'outbound.delete'; clientId: string; seq: number }
  | { type: 'inbound.put'; clientId: string; packetId: number }
  | { type: 'inbound.delete'; clientId: string; packetId: number }
  /** Set the retained message of `message.topic`, replacing any earlier one. */
  | { type: 'retained.put'; message: StoredMessage }
  | { type: 'retained.delete'; topic: string }
  /** Schedule a delayed will, replacing an earlier one of the same client. */
  | { type: 'will.put'; will: WillRecord }
  | { type: 'will.delete'; clientId: string };

/** The `type` of a `StoreOp`. */
export type StoreOpType = StoreOp['type'];

import type { AckProperties, SubackProperties, UnsubackProperties } from '@mqttkit/types';
import type { SubscriptionOutcome } from '../errors/subscribe-error.js';

/** How the session completes a request: the facade passes the resolve/reject pair of its promise. */
export interface Settle<V> {
  resolve(value: V): void;
  reject(error: Error): void;
}

/** What a publish resolves with once complete for its QoS. */
export interface PublishResult {
  /** 0 Success, or 0x10 No matching subscribers (v5); always 0 before 5.0 and for QoS 0. */
  readonly reasonCode: number;
  /** The PUBACK / PUBREC / PUBCOMP v5 properties (reason string, user properties), when sent. */
  readonly properties?: AckProperties;
}

/** What a subscribe resolves with: the code granted to each filter, in order. */
export interface SubscribeResult {
  /** Each filter with its granted QoS as `reasonCode` (0, 1 or 2). */
  readonly granted: readonly SubscriptionOutcome[];
  /** The SUBACK's v5 properties. */
  readonly properties?: SubackProperties;
}

/** What an unsubscribe resolves with: the code for each filter, in order. */
export interface UnsubscribeResult {
  /** Each filter with its v5 code (0 Success, 0x11 No subscription existed); 0 before 5.0. */
  readonly outcomes: readonly SubscriptionOutcome[];
  /** The UNSUBACK's v5 properties. */
  readonly properties?: UnsubackProperties;
}

/** The result of every successful QoS 0 publish and of a plain successful acknowledgement: shared, frozen. */
export const SUCCESS: PublishResult = Object.freeze({ reasonCode: 0 });

import { MqttError, type UnsubackProperties } from '@mqttkit/types';
import { describeReason, errorCodeFor, hasMarker, mark } from './reason.js';
import type { SubscriptionOutcome } from './subscribe-error.js';

const MARKER = Symbol.for('@mqttkit/client/UnsubscribeError');

/** The server refused to remove one or more filters of an UNSUBSCRIBE (v5 UNSUBACK codes 0x80 and above). */
export class UnsubscribeError extends MqttError {
  /** Every filter of the UNSUBSCRIBE with the code the server answered, in order. */
  readonly outcomes: readonly SubscriptionOutcome[];
  /** The UNSUBACK's v5 properties. */
  readonly properties: UnsubackProperties | undefined;

  /** Builds the error from the filters' outcomes (at least one of them a failure). */
  constructor(outcomes: readonly SubscriptionOutcome[], properties?: UnsubackProperties) {
    const refused = outcomes.filter((o) => o.reasonCode >= 0x80);
    const list = refused.map((o) => `'${o.topicFilter}' (${describeReason(o.reasonCode)})`).join(', ');
    super(errorCodeFor(refused[0]?.reasonCode ?? 0x80), `unsubscribe refused for ${list}`);
    this.name = 'UnsubscribeError';
    this.outcomes = outcomes;
    this.properties = properties;
  }

  /** True for any `UnsubscribeError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is UnsubscribeError {
    return hasMarker(value, MARKER);
  }
}
mark(UnsubscribeError, MARKER);

import { MqttError, type SubackProperties } from '@mqttkit/types';
import { describeReason, errorCodeFor, hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/SubscribeError');

/** One topic filter of a SUBSCRIBE and the code the server answered for it. */
export interface SubscriptionOutcome {
  readonly topicFilter: string;
  /** The granted QoS (0, 1, 2) or a failure code (0x80 and above). */
  readonly reasonCode: number;
}

/**
 * The server refused one or more filters of a SUBSCRIBE. `outcomes` lists every filter with its code,
 * the granted ones included; the filters that were granted stay subscribed. `code` and `reasonCode`
 * are those of the first refused filter.
 */
export class SubscribeError extends MqttError {
  /** Every filter of the SUBSCRIBE with the code the server answered, in order. */
  readonly outcomes: readonly SubscriptionOutcome[];
  /** The SUBACK's v5 properties. */
  readonly properties: SubackProperties | undefined;

  /** Builds the error from the filters' outcomes (at least one of them a failure). */
  constructor(outcomes: readonly SubscriptionOutcome[], properties?: SubackProperties) {
    const refused = outcomes.filter((o) => o.reasonCode >= 0x80);
    const first = refused[0]?.reasonCode ?? 0x80;
    const list = refused.map((o) => `'${o.topicFilter}' (${describeReason(o.reasonCode)})`).join(', ');
    const reasonString = properties?.reasonString;
    super(
      errorCodeFor(first),
      `subscribe refused for ${list}${reasonString === undefined ? '' : `: ${reasonString}`}`,
    );
    this.name = 'SubscribeError';
    this.outcomes = outcomes;
    this.properties = properties;
  }

  /** The filters the server refused. */
  get refused(): readonly SubscriptionOutcome[] {
    return this.outcomes.filter((o) => o.reasonCode >= 0x80);
  }

  /** True for any `SubscribeError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is SubscribeError {
    return hasMarker(value, MARKER);
  }
}
mark(SubscribeError, MARKER);

import { type AckProperties, MqttError } from '@mqttkit/types';
import { describeReason, errorCodeFor, hasMarker, mark } from './reason.js';

const MARKER = Symbol.for('@mqttkit/client/PublishError');

/**
 * A PUBLISH was refused: by the server (a v5 PUBACK, PUBREC or PUBCOMP with a reason code of 0x80 or
 * more), or by the client before sending because the server cannot take it (QoS above its Maximum QoS,
 * retain when Retain is not available).
 */
export class PublishError extends MqttError {
  /** The topic of the refused message. */
  readonly topic: string;
  /** The server's diagnostic text (v5 Reason String), when it sent one. */
  readonly reasonString: string | undefined;
  /** The acknowledgement's v5 properties, when the server refused. */
  readonly properties: AckProperties | undefined;

  /** Builds the error for `topic` refused with `reasonCode`; `detail` explains a client-side refusal. */
  constructor(
    topic: string,
    reasonCode: number,
    options: { properties?: AckProperties; detail?: string } = {},
  ) {
    const reasonString = options.properties?.reasonString;
    const why = options.detail ?? `the server refused it: ${describeReason(reasonCode)}`;
    super(
      errorCodeFor(reasonCode),
      `publish to '${topic}' failed: ${why}${reasonString === undefined ? '' : `: ${reasonString}`}`,
    );
    this.name = 'PublishError';
    this.topic = topic;
    this.reasonString = reasonString;
    this.properties = options.properties;
  }

  /** True for any `PublishError`, including one from another copy of this package. */
  static override isInstance(value: unknown): value is PublishError {
    return hasMarker(value, MARKER);
  }
}
mark(PublishError, MARKER);

/**
 * `-d`: mosquitto-style debug lines (`Client <id> sending CONNECT`, `Client <id> received PUBLISH (d0,
 * q1, r0, m1, 'a/b', ... (5 bytes))`). They are written at the client API level: mqttkit sees what it
 * sends and receives as requests and messages, not every acknowledgement packet on the wire, so
 * PUBACK/PUBREC/PUBREL/PUBCOMP lines appear as one "received ... acknowledgement" line per message.
 */
import type { QoS } from '@mqttkit/types';

/** Writes debug lines when enabled; does nothing otherwise. */
export class DebugLog {
  readonly #write: (line: string) => void;
  readonly enabled: boolean;
  /** The client id shown in lines; `(null)` until the server accepted the connection (as mosquitto). */
  clientId = '(null)';

  /** A log that writes each line (with its newline) through `write` when `enabled`. */
  constructor(enabled: boolean, write: (line: string) => void) {
    this.enabled = enabled;
    this.#write = write;
  }

  /** `Client <id> sending <what>`. */
  sending(what: string): void {
    if (this.enabled) this.#write(`Client ${this.clientId} sending ${what}\n`);
  }

  /** `Client <id> received <what>`. */
  received(what: string): void {
    if (this.enabled) this.#write(`Client ${this.clientId} received ${what}\n`);
  }

  /** Any other line, as is. */
  line(text: string): void {
    if (this.enabled) this.#write(`${text}\n`);
  }
}

/** A PUBLISH as mosquitto describes it: `PUBLISH (d0, q1, r0, m1, 'topic', ... (5 bytes))`. */
export function describePublish(publish: {
  topic: string;
  qos: QoS;
  retain: boolean;
  dup?: boolean;
  packetId?: number;
  bytes: number;
}): string {
  const mid = publish.packetId === undefined ? '' : `m${publish.packetId}, `;
  return `PUBLISH (d${publish.dup === true ? 1 : 0}, q${publish.qos}, r${publish.retain ? 1 : 0}, ${mid}'${publish.topic}', ... (${publish.bytes} bytes))`;
}

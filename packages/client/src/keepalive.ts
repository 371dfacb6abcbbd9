/** What the keepalive monitor asks the connection to do now. */
export type KeepaliveAction = 'wait' | 'ping' | 'dead';

/**
 * Keepalive bookkeeping for one connection, free of timers: the caller reports traffic with the time it
 * read, asks `check(now)` when `nextCheckAt` comes, and acts on the answer.
 *
 * - A PINGREQ is due when nothing was sent for the keepalive interval (the spec's rule, [MQTT-3.1.2-23])
 *   or nothing was received for it: a client that only publishes QoS 0 would otherwise never notice
 *   that its writes go into a dead connection.
 * - After a PINGREQ, any packet from the server proves it alive; if none arrives within `timeoutMs`
 *   the connection is dead, and the spec says the client SHOULD close it (section 3.1.2.10).
 *
 * States: idle (no PINGREQ outstanding) → pinging (waiting for any packet) → idle, or → dead.
 */
export class KeepaliveMonitor {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #lastSent = 0;
  #lastReceived = 0;
  /** When the outstanding PINGREQ was sent; -1 when none is outstanding. */
  #pingSentAt = -1;

  /** `intervalMs` is the negotiated Keep Alive (0 disables); `timeoutMs` bounds the wait for an answer. */
  constructor(intervalMs: number, timeoutMs: number, now: number) {
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#lastSent = now;
    this.#lastReceived = now;
  }

  /** How long an answer to PINGREQ may take, in ms. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** False when Keep Alive is 0: nothing to check. */
  get isEnabled(): boolean {
    return this.#intervalMs > 0;
  }

  /** Notes that bytes were written at `now`. */
  sent(now: number): void {
    this.#lastSent = now;
  }

  /** Notes that bytes were received at `now`. */
  received(now: number): void {
    this.#lastReceived = now;
  }

  /** True while a PINGREQ waits for an answer. */
  get isPinging(): boolean {
    return this.#pingSentAt >= 0;
  }

  /** Decides what to do at `now`. On 'ping' the caller sends PINGREQ; the monitor notes it as sent. */
  check(now: number): KeepaliveAction {
    if (this.#intervalMs === 0) return 'wait';
    if (this.#pingSentAt >= 0) {
      if (this.#lastReceived >= this.#pingSentAt) {
        this.#pingSentAt = -1;
      } else {
        return now - this.#pingSentAt >= this.#timeoutMs ? 'dead' : 'wait';
      }
    }
    if (now - this.#lastSent >= this.#intervalMs || now - this.#lastReceived >= this.#intervalMs) {
      this.#pingSentAt = now;
      this.#lastSent = now;
      return 'ping';
    }
    return 'wait';
  }

  /** When `check` should next be called (Infinity when Keep Alive is off). */
  get nextCheckAt(): number {
    if (this.#intervalMs === 0) return Number.POSITIVE_INFINITY;
    if (this.#pingSentAt >= 0) return this.#pingSentAt + this.#timeoutMs;
    return Math.min(this.#lastSent, this.#lastReceived) + this.#intervalMs;
  }
}

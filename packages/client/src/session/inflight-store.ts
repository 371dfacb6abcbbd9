import type { PublishPacket } from '@mqttkit/types';

/** A value, or a promise of it: stores may be synchronous (memory) or asynchronous (disk, IndexedDB). */
export type MaybePromise<T> = T | Promise<T>;

/**
 * An outgoing QoS 1 or 2 message the server has not fully acknowledged.
 * - `publish`: sent (or about to be), waiting for PUBACK (QoS 1) or PUBREC (QoS 2).
 * - `pubrel`: PUBREC received and PUBREL sent, waiting for PUBCOMP (QoS 2 only).
 */
export interface InflightMessage {
  readonly packetId: number;
  readonly stage: 'publish' | 'pubrel';
  /** The message with its full topic (never a topic alias) and `packetId`. */
  readonly packet: PublishPacket;
}

/**
 * Where a client mirrors its unacknowledged QoS 1/2 messages. The client keeps the live state in
 * memory and writes every change here (design decision 6); it reads the store once, when it is
 * created, so a new client with the same store and client id resumes the flows a previous one left.
 * Methods may return promises; the client does not wait for them on the publish path, and reports a
 * rejected one as an 'error' event.
 */
export interface InflightStore {
  /** Every stored message, in the order they were first sent. */
  load(): MaybePromise<readonly InflightMessage[]>;
  /** Adds a message or replaces the one with the same `packetId` (e.g. its stage changed). */
  put(message: InflightMessage): MaybePromise<void>;
  /** Removes the message with `packetId`, if any. */
  delete(packetId: number): MaybePromise<void>;
  /** Removes every message. */
  clear(): MaybePromise<void>;
}

/**
 * The default store: a Map in memory. It keeps messages across reconnects of one client, and across
 * clients in one process that are given the same instance; not across a process restart.
 */
export class MemoryInflightStore implements InflightStore {
  // Map keeps insertion order, which is the order messages were first sent; a stage change replaces
  // the value in place and so keeps its position.
  readonly #messages = new Map<number, InflightMessage>();

  load(): readonly InflightMessage[] {
    return [...this.#messages.values()];
  }

  put(message: InflightMessage): void {
    this.#messages.set(message.packetId, message);
  }

  delete(packetId: number): void {
    this.#messages.delete(packetId);
  }

  clear(): void {
    this.#messages.clear();
  }

  /** Messages stored now. */
  get size(): number {
    return this.#messages.size;
  }
}

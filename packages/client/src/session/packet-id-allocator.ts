/**
 * Hands out MQTT Packet Identifiers (1..65535) that are not in use. PUBLISH (QoS > 0), SUBSCRIBE and
 * UNSUBSCRIBE share one identifier space per session [MQTT-2.2.1-3].
 */
export interface PacketIdAllocator {
  /** A free identifier, now in use; undefined when all 65,535 are taken. */
  allocate(): number | undefined;
  /** Returns `id` to the pool. */
  release(id: number): void;
  /** Marks `id` as in use (restored state); false when it already was. */
  reserve(id: number): boolean;
  /** Identifiers in use. */
  readonly inUse: number;
}

/**
 * The default allocator: a cursor that walks 1..65535 and skips identifiers still in use, so a
 * just-released identifier is not reused at once (which makes traces easier to read and avoids
 * confusing a late duplicate acknowledgement with a new flow). A byte per identifier: 64 KiB.
 */
export class SequentialPacketIdAllocator implements PacketIdAllocator {
  readonly #used = new Uint8Array(65536);
  #next = 1;
  #inUse = 0;

  allocate(): number | undefined {
    if (this.#inUse >= 65535) return undefined;
    let id = this.#next;
    while (this.#used[id] === 1) id = id === 65535 ? 1 : id + 1;
    this.#used[id] = 1;
    this.#inUse++;
    this.#next = id === 65535 ? 1 : id + 1;
    return id;
  }

  release(id: number): void {
    if (this.#used[id] !== 1) return;
    this.#used[id] = 0;
    this.#inUse--;
  }

  reserve(id: number): boolean {
    if (id < 1 || id > 65535 || this.#used[id] === 1) return false;
    this.#used[id] = 1;
    this.#inUse++;
    return true;
  }

  get inUse(): number {
    return this.#inUse;
  }
}

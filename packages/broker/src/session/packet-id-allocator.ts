/**
 * Hands out packet identifiers 1..65535 for one session's outbound QoS 1/2 messages, skipping ids
 * still in use [MQTT-2.2.1-3]. It counts on from the last id, so a freed id is not reused until the
 * others have had their turn and a late PUBACK can never acknowledge the wrong message.
 */
export class PacketIdAllocator {
  private next = 1;

  /** A free id, or undefined when all 65535 are in use. */
  allocate(inUse: { has(packetId: number): boolean }): number | undefined {
    for (let tries = 0; tries < 65_535; tries++) {
      const id = this.next;
      this.next = id === 65_535 ? 1 : id + 1;
      if (!inUse.has(id)) return id;
    }
    return undefined;
  }
}

import type { OutboundRecord, SubscriptionRecord } from '@mqttkit/session-store';
import type { ProtocolVersion, QoS } from '@mqttkit/types';
import type { Timer } from '../clock.js';
import type { DropReason } from '../hooks/hook.js';
import { isExpired, type Message, ownPayload } from '../router/message.js';
import { Deque } from './deque.js';
import { PacketIdAllocator } from './packet-id-allocator.js';

/** One message on its way to this session: queued, or in flight with a packet id. */
export interface OutboundEntry {
  readonly seq: number;
  readonly message: Message;
  /** Delivery QoS: the lower of the message's and the subscription's. */
  readonly qos: QoS;
  /** RETAIN flag to send. */
  readonly retain: boolean;
  readonly subscriptionIdentifiers: readonly number[] | undefined;
  packetId: number | undefined;
  state: 'queued' | 'sent' | 'released';
  /** True once the store has a record of this entry (persistent sessions only). */
  stored: boolean;
}

/** What a session needs from the connection it is attached to. */
export interface SessionLink {
  /** False while the socket is congested or the connection is closing. */
  canSend(): boolean;
  /** Outbound QoS 1/2 messages the client accepts in flight (its Receive Maximum). */
  readonly sendQuota: number;
  /** Write a PUBLISH; false when it exceeds the client's Maximum Packet Size and was discarded. */
  sendPublish(
    entryOrMessage: OutboundEntry | Message,
    qos: QoS,
    retain: boolean,
    subIds: readonly number[] | undefined,
    packetId: number,
    dup: boolean,
  ): boolean;
  sendPubrel(packetId: number): void;
  /** Another connection claims this client id: close this one [MQTT-3.1.4-3]. */
  takeOver(): void;
}

/** What a session needs from the broker: limits, persistence, accounting. */
export interface SessionHost {
  readonly maximumQueuedMessages: number;
  readonly queueFullPolicy: 'drop-new' | 'drop-oldest';
  readonly queueQoS0Offline: boolean;
  now(): number;
  /**
   * Record an entry's current state for the store (persistent sessions only); stores the message body
   * first if it is not stored yet, and marks the entry `stored`.
   */
  persistOutbound(clientId: string, entry: OutboundEntry): void;
  /** Record that a stored entry is done or dropped. */
  persistOutboundDelete(clientId: string, entry: OutboundEntry): void;
  /** Count, log and report a message not delivered to this session. */
  dropped(clientId: string, message: Message, qos: QoS, reason: DropReason): void;
  /** Count a PUBLISH written to a client. */
  sent(): void;
}

/**
 * Per client id state that outlives a connection (MQTT section 4.1): subscriptions, the outbound
 * queue and in-flight window, packet ids, and inbound QoS 2 ids awaiting PUBREL.
 *
 * Outbound flow of one QoS 1/2 entry:
 *   queued ──(slot in window, socket writable)──► sent ──PUBACK──► done
 *                                                  └──PUBREC──► released ──PUBCOMP──► done
 * On reconnect, `sent` entries are resent with DUP and `released` ones get their PUBREL again
 * [MQTT-4.4.0-1].
 */
export class Session {
  /** The live connection, or undefined while the client is offline. */
  link: SessionLink | undefined;
  /** Subscriptions by filter as sent (shared ones with their `$share/` prefix). */
  readonly subscriptions = new Map<string, SubscriptionRecord>();
  /** Packet ids of inbound QoS 2 messages received and not yet released [MQTT-4.3.3-?]. */
  readonly inboundQos2 = new Set<number>();
  /** Set while the session is offline and will expire. */
  expiryTimer: Timer | undefined;
  /** True while the store holds a record of this session. */
  persisted = false;

  private readonly inflight = new Map<number, OutboundEntry>();
  private readonly queue = new Deque<OutboundEntry>();
  private nextSeq = 1;
  private readonly packetIds = new PacketIdAllocator((id) => this.inflight.has(id));
  private retryScheduled = false;

  readonly clientId: string;
  protocolVersion: ProtocolVersion;
  /** Seconds the session outlives its connection; 0 ends it with the connection. */
  expiryInterval: number;
  private readonly host: SessionHost;

  constructor(clientId: string, protocolVersion: ProtocolVersion, expiryInterval: number, host: SessionHost) {
    this.clientId = clientId;
    this.protocolVersion = protocolVersion;
    this.expiryInterval = expiryInterval;
    this.host = host;
  }

  /** True when the session must be kept (and stored) after its connection closes. */
  get isPersistent(): boolean {
    return this.expiryInterval > 0;
  }

  /** Messages waiting beyond the in-flight window. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /**
   * Hand this session a message matched by one of its subscriptions. QoS 0 goes straight to the
   * socket or is dropped (offline or congested, counted); QoS 1/2 is sent when the window and the
   * socket allow, queued otherwise, and stored when the session is persistent.
   */
  deliver(
    message: Message,
    qos: QoS,
    retain: boolean,
    subscriptionIdentifiers: readonly number[] | undefined,
  ): void {
    const link = this.link;
    if (qos === 0) {
      if (link?.canSend()) {
        if (link.sendPublish(message, 0, retain, subscriptionIdentifiers, 0, false)) this.host.sent();
        else this.host.dropped(this.clientId, message, 0, 'packet-too-large');
        return;
      }
      if (link !== undefined) {
        this.host.dropped(this.clientId, message, 0, 'congested');
        return;
      }
      if (!this.host.queueQoS0Offline) {
        this.host.dropped(this.clientId, message, 0, 'offline-qos0');
        return;
      }
    }
    const entry: OutboundEntry = {
      seq: this.nextSeq++,
      message,
      qos,
      retain,
      subscriptionIdentifiers,
      packetId: undefined,
      state: 'queued',
      stored: false,
    };
    // Kept past this socket chunk (in flight or queued): copy the payload once per message.
    ownPayload(message);
    if (this.queue.length === 0 && this.trySend(entry)) return;
    this.enqueue(entry);
    if (link !== undefined) this.retryAfterFlush();
  }

  /**
   * PUBACK (QoS 1) or PUBCOMP (QoS 2) from the client: the entry is done. Returns false for an id
   * that is not in flight in that state (the caller decides whether that is an error).
   */
  complete(packetId: number, expected: 'sent' | 'released'): boolean {
    const entry = this.inflight.get(packetId);
    if (entry === undefined || entry.state !== expected || (expected === 'sent' && entry.qos !== 1))
      return false;
    this.finish(entry);
    this.pump();
    return true;
  }

  /**
   * PUBREC from the client: move the QoS 2 entry to `released` so PUBREL follows. Returns false for an
   * unknown id. With a v5 failure reason code the flow ends here [MQTT-4.3.3-?]: `failed` true.
   */
  received(packetId: number, failed: boolean): boolean {
    const entry = this.inflight.get(packetId);
    if (entry === undefined || entry.qos !== 2) return false;
    if (failed) {
      this.finish(entry);
      this.pump();
      return true;
    }
    if (entry.state === 'sent') {
      entry.state = 'released';
      if (this.isPersistent) this.host.persistOutbound(this.clientId, entry);
    }
    return true;
  }

  /**
   * Attach a new connection: resend what was in flight (PUBLISH with DUP, or PUBREL), then drain the
   * queue [MQTT-4.4.0-1].
   */
  resume(): void {
    const link = this.link;
    if (link === undefined) return;
    for (const entry of this.inflight.values()) {
      if (entry.state === 'released') {
        link.sendPubrel(entry.packetId!);
        // Onward delivery has started: no expiry for a message already sent [MQTT-4.3.3-7], [MQTT-3.3.2-5].
      } else if (
        !link.sendPublish(
          entry,
          entry.qos,
          entry.retain,
          entry.subscriptionIdentifiers,
          entry.packetId!,
          true,
        )
      ) {
        this.host.dropped(this.clientId, entry.message, entry.qos, 'packet-too-large');
        this.finish(entry);
      }
    }
    this.pump();
  }

  /** Move queued entries into flight while the window and the socket allow. */
  pump(): void {
    for (let entry = this.queue.peek(); entry !== undefined; entry = this.queue.peek()) {
      if (!this.trySend(entry)) {
        this.retryAfterFlush();
        return;
      }
      this.queue.shift();
    }
  }

  /**
   * The queue is held back by a full outgoing buffer. The connection pumps again on the socket's
   * 'drain', but Node emits 'drain' only after a write returned false, and a socket whose kernel takes
   * the whole turn's batch at once returns true: the queue would wait for an acknowledgement that may
   * never come. So look once more right after this turn's flush (queued before this immediate); if the
   * buffer is still full then, it holds at least `maximumOutgoingBufferBytes` (≥ 64 KiB, above the
   * socket's high-water mark), so that write returned false and 'drain' will come. At most one pending
   * retry per session, and only when the queue is blocked, never per message.
   */
  private retryAfterFlush(): void {
    const link = this.link;
    if (this.retryScheduled || link === undefined || link.canSend()) return;
    this.retryScheduled = true;
    setImmediate(this.retryPump);
  }

  private readonly retryPump = (): void => {
    this.retryScheduled = false;
    if (this.link?.canSend()) this.pump();
  };

  /** Restore an entry loaded from the store, keeping its seq and state. */
  restore(entry: OutboundEntry): void {
    this.nextSeq = Math.max(this.nextSeq, entry.seq + 1);
    if (entry.state === 'queued' || entry.packetId === undefined) {
      entry.state = 'queued';
      entry.packetId = undefined;
      this.queue.push(entry);
    } else {
      this.inflight.set(entry.packetId, entry);
    }
  }

  /**
   * Forget every queued and in-flight message (the session ends). Returns the entries that were
   * stored, whose records the store drops with the session.
   */
  clear(): OutboundEntry[] {
    const stored = this.outbound().filter((entry) => entry.stored);
    this.inflight.clear();
    this.queue.drain();
    this.inboundQos2.clear();
    return stored;
  }

  /** Everything outbound, in flight first, for inspection and tests. */
  outbound(): OutboundEntry[] {
    return [...this.inflight.values(), ...this.queue];
  }

  private trySend(entry: OutboundEntry): boolean {
    const link = this.link;
    if (link === undefined || !link.canSend()) return false;
    if (isExpired(entry.message, this.host.now())) {
      // Expired while queued: discard rather than deliver [MQTT-3.3.2-5].
      this.host.dropped(this.clientId, entry.message, entry.qos, 'expired');
      this.discard(entry);
      return true;
    }
    if (entry.qos === 0) {
      if (link.sendPublish(entry.message, 0, entry.retain, entry.subscriptionIdentifiers, 0, false))
        this.host.sent();
      else this.host.dropped(this.clientId, entry.message, 0, 'packet-too-large');
      this.discard(entry);
      return true;
    }
    if (this.inflight.size >= link.sendQuota) return false;
    const packetId = this.packetIds.allocate();
    if (packetId === undefined) return false;
    entry.packetId = packetId;
    entry.state = 'sent';
    if (!link.sendPublish(entry, entry.qos, entry.retain, entry.subscriptionIdentifiers, packetId, false)) {
      // Larger than the client accepts: discard and behave as if delivered [MQTT-3.1.2-25].
      this.host.dropped(this.clientId, entry.message, entry.qos, 'packet-too-large');
      entry.packetId = undefined;
      this.discard(entry);
      return true;
    }
    this.host.sent();
    this.inflight.set(packetId, entry);
    if (this.isPersistent) this.host.persistOutbound(this.clientId, entry);
    return true;
  }

  private enqueue(entry: OutboundEntry): void {
    const host = this.host;
    if (this.queue.length >= host.maximumQueuedMessages) {
      if (host.queueFullPolicy === 'drop-new' || this.queue.length === 0) {
        host.dropped(this.clientId, entry.message, entry.qos, 'queue-full');
        return;
      }
      const oldest = this.queue.shift()!;
      host.dropped(this.clientId, oldest.message, oldest.qos, 'queue-full');
      this.discard(oldest);
    }
    this.queue.push(entry);
    if (this.isPersistent) host.persistOutbound(this.clientId, entry);
  }

  private finish(entry: OutboundEntry): void {
    this.inflight.delete(entry.packetId!);
    this.discard(entry);
  }

  /** Forget the store's record of an entry that is done or dropped. */
  private discard(entry: OutboundEntry): void {
    if (entry.stored) this.host.persistOutboundDelete(this.clientId, entry);
  }
}

/** The store record of an outbound entry, as of now (a fresh object: records are never mutated). */
export function toOutboundRecord(entry: OutboundEntry): OutboundRecord {
  const record: OutboundRecord = {
    seq: entry.seq,
    messageId: entry.message.id,
    qos: entry.qos,
    retain: entry.retain,
    state: entry.state,
  };
  if (entry.subscriptionIdentifiers !== undefined)
    record.subscriptionIdentifiers = entry.subscriptionIdentifiers;
  if (entry.packetId !== undefined) record.packetId = entry.packetId;
  return record;
}

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
  /**
   * A `sent` entry the previous connection left unacknowledged and this one has not resent yet: it
   * keeps its packet id but is not outstanding on the wire until the client's window lets it go.
   */
  awaitingResend: boolean;
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
 * On reconnect, `released` ones get their PUBREL again and `sent` entries are resent with DUP
 * [MQTT-4.4.0-1], oldest first, as many as the new connection's Receive Maximum allows [MQTT-3.3.4-9]:
 * the send quota is not session state (section 4.9), so a client may come back with a smaller one.
 */
export class Session {
  /** The live connection, or undefined while the client is offline. */
  link: SessionLink | undefined;
  /** Set while the session is offline and will expire. */
  expiryTimer: Timer | undefined;
  /** True while the store holds a record of this session. */
  persisted = false;

  // Collections are created on first use: most sessions of an idle fleet never subscribe, publish at
  // QoS 2 or queue anything, and empty Maps cost memory per connection (see the broker benchmark).
  private subscriptionMap: Map<string, SubscriptionRecord> | undefined;
  private inboundIds: Set<number> | undefined;
  private inflight: Map<number, OutboundEntry> | undefined;
  private queue: Deque<OutboundEntry> | undefined;
  private nextSeq = 1;
  private packetIds: PacketIdAllocator | undefined;
  /** In-flight entries awaiting resend on this connection, oldest first; undefined when none. */
  private resends: ResendQueue | undefined;

  readonly clientId: string;
  /**
   * User name of the client that last connected to this session, as authentication left it (and as
   * re-authentication changes it). Kept in memory only: the store's records do not hold it, so a
   * session loaded from the store has none until its client connects again (`isUsernameKnown`).
   */
  username: string | undefined = undefined;
  /**
   * True once a client has connected to this session since the broker started. False for a session
   * loaded from the store and not resumed yet: `username` is then unknown, not anonymous.
   */
  isUsernameKnown = false;
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

  /** Subscriptions by filter as sent (shared ones with their `$share/` prefix). */
  get subscriptions(): Map<string, SubscriptionRecord> {
    this.subscriptionMap ??= new Map();
    return this.subscriptionMap;
  }

  /** How many subscriptions the session has (without creating the map). */
  get subscriptionCount(): number {
    return this.subscriptionMap?.size ?? 0;
  }

  /** Packet ids of inbound QoS 2 messages received and not yet released by PUBREL [MQTT-4.3.3-8]. */
  get inboundQos2(): Set<number> {
    this.inboundIds ??= new Set();
    return this.inboundIds;
  }

  /** How many inbound QoS 2 messages await PUBREL (without creating the set). */
  get inboundQos2Count(): number {
    return this.inboundIds?.size ?? 0;
  }

  /** Messages waiting beyond the in-flight window. */
  get queuedCount(): number {
    return this.queue?.length ?? 0;
  }

  /** Messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.inflight?.size ?? 0;
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
      awaitingResend: false,
    };
    // Kept past this socket chunk (in flight or queued): copy the payload once per message.
    ownPayload(message);
    if (this.queuedCount === 0 && this.resends === undefined && this.trySend(entry)) return;
    this.enqueue(entry);
  }

  /**
   * PUBACK (QoS 1) or PUBCOMP (QoS 2) from the client: the entry is done. Returns false for an id
   * that is not in flight in that state (the caller decides whether that is an error).
   */
  complete(packetId: number, expected: 'sent' | 'released'): boolean {
    const entry = this.inflight?.get(packetId);
    if (entry === undefined || entry.state !== expected || (expected === 'sent' && entry.qos !== 1))
      return false;
    this.finish(entry);
    this.pump();
    return true;
  }

  /**
   * PUBREC from the client: move the QoS 2 entry to `released` so PUBREL follows. Returns false for an
   * unknown id. With a v5 failure reason code the flow ends here: PUBREL follows only a
   * PUBREC below 0x80 [MQTT-4.3.3-4], so `failed` true ends it.
   */
  received(packetId: number, failed: boolean): boolean {
    const entry = this.inflight?.get(packetId);
    if (entry === undefined || entry.qos !== 2) return false;
    if (failed) {
      this.finish(entry);
      this.pump();
      return true;
    }
    if (entry.state === 'sent') {
      // A PUBREC for the PUBLISH the old connection carried: it needs no resend, only the PUBREL.
      this.resendNoLongerNeeded(entry);
      entry.state = 'released';
      if (this.isPersistent) this.host.persistOutbound(this.clientId, entry);
    }
    return true;
  }

  /**
   * Attach a new connection: PUBREL again for what the client received [MQTT-4.4.0-1]; then, in the
   * original order and within the client's Receive Maximum, resend the unacknowledged PUBLISHes with
   * DUP [MQTT-3.3.4-9], and only then drain the queue.
   */
  resume(): void {
    const link = this.link;
    if (link === undefined) return;
    this.resends = undefined;
    for (const entry of this.inflight?.values() ?? []) {
      if (entry.state === 'released') {
        link.sendPubrel(entry.packetId!);
        // Onward delivery has started: no expiry for a message already sent [MQTT-4.3.3-7], [MQTT-3.3.2-5].
      } else {
        entry.awaitingResend = true;
        this.resends ??= { entries: [], next: 0, waiting: 0 };
        this.resends.entries.push(entry);
        this.resends.waiting++;
      }
    }
    this.pump();
  }

  /**
   * Move entries into flight while the window and the socket allow: resends first, then the queue. A
   * session held back by a full socket is pumped again by the connection: on 'drain', or right after a
   * flush the socket took whole.
   */
  pump(): void {
    if (this.resends !== undefined && !this.resendWithinWindow()) return;
    const queue = this.queue;
    if (queue === undefined) return;
    for (let entry = queue.peek(); entry !== undefined; entry = queue.peek()) {
      if (!this.trySend(entry)) return;
      queue.shift();
    }
  }

  /** Restore an entry loaded from the store, keeping its seq and state. */
  restore(entry: OutboundEntry): void {
    this.nextSeq = Math.max(this.nextSeq, entry.seq + 1);
    if (entry.state === 'queued' || entry.packetId === undefined) {
      entry.state = 'queued';
      entry.packetId = undefined;
      this.queuedEntries().push(entry);
    } else {
      this.inflightEntries().set(entry.packetId, entry);
    }
  }

  /**
   * Drop the queued messages (not yet sent) that `keep` rejects, each counted as not delivered for
   * `reason`, and forget their store records. Messages in flight are left to finish their flow: the
   * client has them already, and a QoS 2 packet id it holds must still be released. Returns how many
   * were dropped.
   */
  dropQueued(keep: (entry: OutboundEntry) => boolean, reason: DropReason): number {
    const queue = this.queue;
    if (queue === undefined || queue.length === 0) return 0;
    let dropped = 0;
    // Every entry is taken out and the kept ones pushed back in order.
    for (const entry of queue.drain()) {
      if (keep(entry)) {
        queue.push(entry);
        continue;
      }
      this.host.dropped(this.clientId, entry.message, entry.qos, reason);
      this.discard(entry);
      dropped++;
    }
    return dropped;
  }

  /**
   * Forget every queued and in-flight message (the session ends). Returns the entries that were
   * stored, whose records the store drops with the session.
   */
  clear(): OutboundEntry[] {
    const stored = this.outbound().filter((entry) => entry.stored);
    this.inflight = undefined;
    this.queue = undefined;
    this.inboundIds = undefined;
    this.resends = undefined;
    return stored;
  }

  /** Everything outbound, in flight first, for inspection and tests. */
  outbound(): OutboundEntry[] {
    return [...(this.inflight?.values() ?? []), ...(this.queue ?? [])];
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
    const inflight = this.inflightEntries();
    if (inflight.size >= link.sendQuota) return false;
    this.packetIds ??= new PacketIdAllocator();
    const packetId = this.packetIds.allocate(inflight);
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
    inflight.set(packetId, entry);
    if (this.isPersistent) this.host.persistOutbound(this.clientId, entry);
    return true;
  }

  private enqueue(entry: OutboundEntry): void {
    const host = this.host;
    const queue = this.queuedEntries();
    if (queue.length >= host.maximumQueuedMessages) {
      if (host.queueFullPolicy === 'drop-new' || queue.length === 0) {
        host.dropped(this.clientId, entry.message, entry.qos, 'queue-full');
        return;
      }
      const oldest = queue.shift()!;
      host.dropped(this.clientId, oldest.message, oldest.qos, 'queue-full');
      this.discard(oldest);
    }
    queue.push(entry);
    if (this.isPersistent) host.persistOutbound(this.clientId, entry);
  }

  private finish(entry: OutboundEntry): void {
    this.resendNoLongerNeeded(entry);
    this.inflight?.delete(entry.packetId!);
    this.discard(entry);
  }

  /**
   * Resend, oldest first, the entries awaiting it while fewer PUBLISHes than the client's Receive
   * Maximum are outstanding (entries in flight minus those still waiting). True once none waits.
   */
  private resendWithinWindow(): boolean {
    const resends = this.resends!;
    const link = this.link;
    const inflight = this.inflight;
    if (link === undefined || inflight === undefined) return false;
    while (resends.next < resends.entries.length) {
      const entry = resends.entries[resends.next]!;
      if (entry.awaitingResend) {
        if (inflight.size - resends.waiting >= link.sendQuota || !link.canSend()) return false;
        entry.awaitingResend = false;
        resends.waiting--;
        if (
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
      resends.next++;
    }
    this.resends = undefined;
    return true;
  }

  /** An entry awaiting resend was acknowledged (or dropped) first: it no longer waits. */
  private resendNoLongerNeeded(entry: OutboundEntry): void {
    if (!entry.awaitingResend) return;
    entry.awaitingResend = false;
    this.resends!.waiting--;
  }

  private inflightEntries(): Map<number, OutboundEntry> {
    this.inflight ??= new Map();
    return this.inflight;
  }

  private queuedEntries(): Deque<OutboundEntry> {
    this.queue ??= new Deque();
    return this.queue;
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

/** The resend order after a reconnect: entries before `next` are done; `waiting` still await resend. */
interface ResendQueue {
  readonly entries: OutboundEntry[];
  next: number;
  waiting: number;
}

import { encode } from '@mqttkit/codec';
import {
  MqttError,
  type QoS,
  type SubackPacket,
  type SubscribePacket,
  type SubscribeProperties,
  type Subscription,
  type UnsubackPacket,
  type UnsubscribePacket,
  type UnsubscribeProperties,
} from '@mqttkit/types';
import { PacketTooLargeError } from '../errors/packet-too-large-error.js';
import { QueueFullError } from '../errors/queue-full-error.js';
import { SubscribeError, type SubscriptionOutcome } from '../errors/subscribe-error.js';
import { UnsubscribeError } from '../errors/unsubscribe-error.js';
import { asMqttError, type FlowContext } from './flow-context.js';
import type { PacketIdAllocator } from './packet-id-allocator.js';
import type { Settle, SubscribeResult, UnsubscribeResult } from './results.js';

/** A SUBSCRIBE or UNSUBSCRIBE waiting to be sent or acknowledged. */
type Request =
  | {
      kind: 'subscribe';
      subscriptions: readonly Subscription[];
      properties: SubscribeProperties | undefined;
      /** Undefined for the client's own resubscribe. */
      settle: Settle<SubscribeResult> | undefined;
    }
  | {
      kind: 'unsubscribe';
      filters: readonly string[];
      properties: UnsubscribeProperties | undefined;
      settle: Settle<UnsubscribeResult> | undefined;
    };

/** A granted subscription, kept to subscribe again when a reconnect finds no session. */
interface Held {
  subscription: Subscription;
  /** The properties of the SUBSCRIBE it came with (subscription identifier, user properties). */
  properties: SubscribeProperties | undefined;
}

/**
 * SUBSCRIBE / UNSUBSCRIBE flows (sections 3.8 to 3.11) and the record of granted subscriptions.
 * Requests made while offline wait in order; requests sent but not acknowledged when the connection
 * drops are sent again on the next one (they are idempotent). After a reconnect without a session,
 * `resubscribe` sends the recorded subscriptions first, grouped by the SUBSCRIBE they came with.
 */
export class SubscriptionBook {
  readonly #ctx: FlowContext;
  readonly #ids: PacketIdAllocator;
  readonly #maximumPacketSize: () => number;
  readonly #held = new Map<string, Held>();
  #pending: Request[] = [];
  readonly #sent = new Map<number, Request>();

  /** `maximumPacketSize` reads the server's current limit. */
  constructor(ctx: FlowContext, ids: PacketIdAllocator, maximumPacketSize: () => number) {
    this.#ctx = ctx;
    this.#ids = ids;
    this.#maximumPacketSize = maximumPacketSize;
  }

  /** The recorded subscriptions: filter → requested QoS. */
  get filters(): ReadonlyMap<string, QoS> {
    return new Map([...this.#held].map(([filter, held]) => [filter, held.subscription.qos]));
  }

  /** True when no request waits to be sent or acknowledged. */
  get isIdle(): boolean {
    return this.#pending.length === 0 && this.#sent.size === 0;
  }

  /** Queues a SUBSCRIBE; `sendPending` writes it when online. */
  subscribe(
    subscriptions: readonly Subscription[],
    properties: SubscribeProperties | undefined,
    settle: Settle<SubscribeResult> | undefined,
  ): void {
    this.#pending.push({ kind: 'subscribe', subscriptions, properties, settle });
  }

  /** Queues an UNSUBSCRIBE and forgets the filters at once, so a reconnect does not restore them. */
  unsubscribe(
    filters: readonly string[],
    properties: UnsubscribeProperties | undefined,
    settle: Settle<UnsubscribeResult> | undefined,
  ): void {
    for (const filter of filters) this.#held.delete(filter);
    this.#pending.push({ kind: 'unsubscribe', filters, properties, settle });
  }

  /** Queues SUBSCRIBEs for every recorded subscription, ahead of the requests already waiting. */
  resubscribe(): void {
    const groups = new Map<SubscribeProperties | undefined, Subscription[]>();
    for (const held of this.#held.values()) {
      const group = groups.get(held.properties);
      if (group === undefined) groups.set(held.properties, [held.subscription]);
      else group.push(held.subscription);
    }
    const requests: Request[] = [];
    for (const [properties, subscriptions] of groups) {
      requests.push({ kind: 'subscribe', subscriptions, properties, settle: undefined });
    }
    this.#pending = [...requests, ...this.#pending];
  }

  /** Writes every waiting request (the session calls it only while online). */
  sendPending(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const request of pending) this.#send(request);
  }

  /** The connection is gone: requests not acknowledged go back to the front of the line. */
  connectionLost(): void {
    if (this.#sent.size === 0) return;
    for (const id of this.#sent.keys()) this.#ids.release(id);
    this.#pending = [...this.#sent.values(), ...this.#pending];
    this.#sent.clear();
  }

  /** Rejects every request with `error`. */
  failAll(error: Error): void {
    this.connectionLost();
    const pending = this.#pending;
    this.#pending = [];
    for (const request of pending) request.settle?.reject(error);
  }

  /** SUBACK: one code per filter; granted filters are recorded, refusals reported. */
  onSuback(packet: SubackPacket): void {
    const request = this.#take(packet.packetId);
    if (request?.kind !== 'subscribe') return;
    const codes = packet.reasonCodes;
    if (codes.length !== request.subscriptions.length) {
      // [MQTT-3.9.3-1] One reason code per Topic Filter of the SUBSCRIBE.
      this.#ctx.protocolError(
        new MqttError(
          'PROTOCOL_ERROR',
          `SUBACK has ${codes.length} codes for ${request.subscriptions.length} topic filters`,
          { specRef: 'MQTT-3.9.3-1' },
        ),
      );
      return;
    }
    const outcomes: SubscriptionOutcome[] = [];
    let refused = false;
    for (let i = 0; i < codes.length; i++) {
      const subscription = request.subscriptions[i]!;
      const reasonCode = codes[i]!;
      outcomes.push({ topicFilter: subscription.topicFilter, reasonCode });
      if (reasonCode >= 0x80) refused = true;
      else this.#held.set(subscription.topicFilter, { subscription, properties: request.properties });
    }
    if (refused) this.#reject(request.settle, new SubscribeError(outcomes, packet.properties));
    else
      request.settle?.resolve(
        packet.properties === undefined
          ? { granted: outcomes }
          : { granted: outcomes, properties: packet.properties },
      );
  }

  /** UNSUBACK: v5 carries one code per filter; 3.x means success for all. */
  onUnsuback(packet: UnsubackPacket): void {
    const request = this.#take(packet.packetId);
    if (request?.kind !== 'unsubscribe') return;
    const codes = packet.reasonCodes;
    if (codes !== undefined && codes.length !== request.filters.length) {
      // [MQTT-3.11.3-1] One reason code per Topic Filter of the UNSUBSCRIBE.
      this.#ctx.protocolError(
        new MqttError(
          'PROTOCOL_ERROR',
          `UNSUBACK has ${codes.length} codes for ${request.filters.length} topic filters`,
          {
            specRef: 'MQTT-3.11.3-1',
          },
        ),
      );
      return;
    }
    const outcomes = request.filters.map((topicFilter, i) => ({ topicFilter, reasonCode: codes?.[i] ?? 0 }));
    if (outcomes.some((o) => o.reasonCode >= 0x80)) {
      this.#reject(request.settle, new UnsubscribeError(outcomes, packet.properties));
    } else {
      request.settle?.resolve(
        packet.properties === undefined ? { outcomes } : { outcomes, properties: packet.properties },
      );
    }
  }

  #take(packetId: number): Request | undefined {
    const request = this.#sent.get(packetId);
    if (request === undefined) return undefined;
    this.#sent.delete(packetId);
    this.#ids.release(packetId);
    return request;
  }

  #send(request: Request): void {
    const packetId = this.#ids.allocate();
    if (packetId === undefined) {
      this.#reject(request.settle, new QueueFullError('the Packet Identifier space', 65535));
      return;
    }
    const { version } = this.#ctx;
    const packet: SubscribePacket | UnsubscribePacket =
      request.kind === 'subscribe'
        ? { type: 'subscribe', packetId, subscriptions: request.subscriptions }
        : { type: 'unsubscribe', packetId, topicFilters: request.filters };
    if (version === 5 && request.properties !== undefined) packet.properties = request.properties;
    let frame: Uint8Array;
    try {
      frame = encode(packet, version);
    } catch (error) {
      this.#ids.release(packetId);
      this.#reject(request.settle, asMqttError(error));
      return;
    }
    const maximum = this.#maximumPacketSize();
    if (frame.length > maximum) {
      this.#ids.release(packetId);
      this.#reject(request.settle, new PacketTooLargeError(packet.type.toUpperCase(), frame.length, maximum));
      return;
    }
    this.#sent.set(packetId, request);
    this.#ctx.write(frame);
  }

  /** Rejects a caller's promise, or reports the error when the request was the client's own. */
  #reject(settle: Settle<never> | undefined, error: Error): void {
    if (settle !== undefined) settle.reject(error);
    else this.#ctx.error(error);
  }
}

import type { MessageProperties, QoS } from '@mqttkit/types';
import { TimeoutError } from './errors/timeout-error.js';
import type { MqttMessage } from './message.js';

/** Options of `client.request()`. */
export interface RequestOptions {
  /** How long to wait for the response, in ms; default 30000. */
  timeoutMs?: number;
  /** QoS of the request (and of the response subscription); default 1. */
  qos?: QoS;
  /** Further v5 properties of the request; `responseTopic` and `correlationData` are set by the client. */
  properties?: Omit<MessageProperties, 'responseTopic' | 'correlationData'>;
}

/** What the requester needs from the client. */
export interface RequesterHost {
  /** The topic responses should go to: based on the server's Response Information when it gave one. */
  responseTopic(): string;
  subscribe(topic: string, qos: QoS): Promise<unknown>;
  publish(
    topic: string,
    payload: string | Uint8Array,
    qos: QoS,
    properties: MessageProperties,
  ): Promise<unknown>;
}

interface Pending {
  resolve(message: MqttMessage): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The v5 request/response pattern (section 4.10): each request carries a Response Topic and fresh
 * Correlation Data; the response that echoes the Correlation Data on that topic settles it. One
 * response topic per client, subscribed once on first use (and restored with the other subscriptions
 * after a reconnect).
 */
export class Requester {
  readonly #host: RequesterHost;
  readonly #pending = new Map<string, Pending>();
  /** Correlation data is this random prefix plus a counter: unique per client, cheap to make. */
  readonly #prefix = crypto.getRandomValues(new Uint8Array(8));
  #counter = 0;
  #topic: string | undefined;
  #subscribed: Promise<void> | undefined;

  /** A requester publishing and subscribing through `host`. */
  constructor(host: RequesterHost) {
    this.#host = host;
  }

  /** The response topic, once the first request chose it. */
  get responseTopic(): string | undefined {
    return this.#topic;
  }

  /** Publishes a request and resolves with the matching response message. */
  async request(
    topic: string,
    payload: string | Uint8Array,
    options: RequestOptions = {},
  ): Promise<MqttMessage> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const qos = options.qos ?? 1;
    const correlationData = new Uint8Array(12);
    correlationData.set(this.#prefix);
    new DataView(correlationData.buffer).setUint32(8, this.#counter++ >>> 0);
    const key = hex(correlationData);
    const response = new Promise<MqttMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(key);
        reject(new TimeoutError('request', timeoutMs, `request to '${topic}'`));
      }, timeoutMs);
      this.#pending.set(key, { resolve, reject, timer });
    });
    try {
      await this.#subscribe(qos);
      const responseTopic = this.#topic!;
      await this.#host.publish(topic, payload, qos, {
        ...options.properties,
        responseTopic,
        correlationData,
      });
    } catch (error) {
      this.#settle(key)?.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return response;
  }

  /** Offers a received message; true when it answered a pending request (and was consumed). */
  handle(message: MqttMessage): boolean {
    if (this.#pending.size === 0 || message.topic !== this.#topic) return false;
    const correlationData = message.properties?.correlationData;
    if (correlationData === undefined) return false;
    const pending = this.#settle(hex(correlationData));
    if (pending === undefined) return false;
    pending.resolve(message);
    return true;
  }

  /** Rejects every pending request with `error`. */
  failAll(error: Error): void {
    for (const key of [...this.#pending.keys()]) this.#settle(key)?.reject(error);
  }

  #subscribe(qos: QoS): Promise<void> {
    if (this.#subscribed === undefined) {
      const topic = this.#host.responseTopic();
      this.#topic = topic;
      this.#subscribed = this.#host.subscribe(topic, qos).then(
        () => undefined,
        (error: unknown) => {
          // Let the next request try again.
          this.#subscribed = undefined;
          throw error;
        },
      );
    }
    return this.#subscribed;
  }

  #settle(key: string): Pending | undefined {
    const pending = this.#pending.get(key);
    if (pending === undefined) return undefined;
    this.#pending.delete(key);
    clearTimeout(pending.timer);
    return pending;
  }
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

import type { ProtocolVersion } from '@mqttkit/types';
import type { ClientInfo } from '../hooks/hook.js';

/** What a transport knows about its peer; a `net.Socket` is one. */
export interface PeerAddress {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
}

/** Shared by every client whose transport reports nothing extra (plain TCP). */
const NO_TRANSPORT_FACTS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The client as hooks see it (`ClientInfo`), kept up to date by the connection. The remote address
 * is read from the socket only when asked: building `ip:port` strings for every idle connection costs
 * more memory than anything else the broker keeps per client.
 */
export class ClientView implements ClientInfo {
  id = '';
  username: string | undefined = undefined;
  protocolVersion: ProtocolVersion = 4;
  readonly listenerId: string;
  readonly transport: Readonly<Record<string, unknown>>;
  #address: string | undefined;
  #peer: PeerAddress | undefined;

  constructor(
    listenerId: string,
    remoteAddress: string | undefined,
    peer: PeerAddress,
    transport: Record<string, unknown> | undefined,
  ) {
    this.listenerId = listenerId;
    this.transport = transport ?? NO_TRANSPORT_FACTS;
    this.#address = remoteAddress;
    this.#peer = remoteAddress === undefined ? peer : undefined;
  }

  /** `host:port` of the peer, as the listener gave it or as the socket reports it. */
  get remoteAddress(): string {
    if (this.#address === undefined) {
      const peer = this.#peer;
      this.#address = `${peer?.remoteAddress ?? 'unknown'}:${peer?.remotePort ?? 0}`;
      this.#peer = undefined;
    }
    return this.#address;
  }

  /** Plain data for loggers and `JSON.stringify`, the remote address included. */
  toJSON(): Omit<ClientInfo, 'transport'> & { transport: Readonly<Record<string, unknown>> } {
    return {
      id: this.id,
      username: this.username,
      protocolVersion: this.protocolVersion,
      remoteAddress: this.remoteAddress,
      listenerId: this.listenerId,
      transport: this.transport,
    };
  }
}

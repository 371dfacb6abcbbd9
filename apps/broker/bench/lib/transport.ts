/**
 * The generator's byte transports behind one tiny interface, so a row differs only in transport:
 * raw TCP, TLS (`tls.connect`) and WebSocket (the `ws` client). The MQTT side (lib/client.ts) writes
 * bytes and gets chunks back; it never knows which transport carries them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect, type OnReadOpts } from 'node:net';
import {
  type ConnectionOptions,
  createSecureContext,
  type EphemeralKeyInfo,
  type SecureContext,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import type { WebSocketDuplex } from '@mqttkit/broker/ws';
import {
  TLS_CIPHER,
  TLS_GROUP,
  TLS_VERSION,
  type TransportKind,
  WS_PATH,
  WS_SUBPROTOCOL,
} from './settings.js';

/**
 * The generator's Nagle setting, the same for every broker and transport (the `ws` client sets it
 * on its socket too). The generator batches its own writes per turn, so Nagle would only add latency.
 */
export const GENERATOR_NO_DELAY = true;

/** Where a broker listens, and what the generator needs to reach it. */
export interface Endpoint {
  transport: TransportKind;
  host: string;
  port: number;
  /** TLS: the client context (trusted CA, pinned version and suite), built once per run. */
  secureContext?: SecureContext;
}

/** What a transport tells its connection. */
export interface TransportEvents {
  /** Bytes arrived: `buffer[0, length)`, valid only during the call (the buffer may be reused). */
  onData(buffer: Buffer, length: number): void;
  /** The transport closed or failed. */
  onClose(reason: string): void;
}

/** A connection's byte stream. Writes made before the connection is open are queued by the transport. */
export interface Transport {
  /** One write; on WebSocket, one binary message. */
  write(bytes: Uint8Array): void;
  /** Write `last`, then close gracefully (TCP FIN; TLS close_notify; WebSocket close frame). */
  end(last: Uint8Array): void;
  /** Close at once. */
  destroy(): void;
  readonly destroyed: boolean;
  /** Bytes queued in user space (not yet handed to the kernel). */
  readonly queuedBytes: number;
}

/**
 * One read buffer for every TCP and TLS socket (`onread`): the kernel (or the TLS layer) copies into
 * it and the frames are walked synchronously, so no Buffer is allocated and no stream machinery runs
 * per read.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export function openTransport(endpoint: Endpoint, events: TransportEvents): Transport {
  if (endpoint.transport === 'ws') return openWebSocket(endpoint, events);
  const onread: OnReadOpts = {
    buffer: READ_BUFFER,
    callback: (bytes: number): boolean => {
      events.onData(READ_BUFFER, bytes);
      return true;
    },
  };
  const { host, port } = endpoint;
  // `tls.connect` takes `onread` like `net.connect` (Node >= 12.x), though @types/node omits it.
  const tlsOptions: ConnectionOptions & { onread: OnReadOpts } = {
    host,
    port,
    secureContext: endpoint.secureContext!,
    onread,
  };
  const socket = endpoint.transport === 'tcp' ? netConnect({ host, port, onread }) : tlsConnect(tlsOptions);
  socket.setNoDelay(GENERATOR_NO_DELAY);
  socket.on('error', (error) => events.onClose(error.message));
  socket.on('close', () => events.onClose('closed'));
  if (endpoint.transport === 'tls') {
    socket.once('secureConnect', () => {
      const tls = socket as TLSSocket;
      const group = (tls.getEphemeralKeyInfo() as EphemeralKeyInfo | null)?.name;
      const got = `${tls.getProtocol()} ${tls.getCipher().standardName} ${group}`;
      if (got !== TLS_HANDSHAKE) socket.destroy(new Error(`negotiated ${got}, expected ${TLS_HANDSHAKE}`));
      else if (tls.isSessionReused()) socket.destroy(new Error('TLS session resumed'));
    });
  }
  return {
    write: (bytes) => socket.write(bytes),
    end: (last) => {
      if (!socket.destroyed) socket.end(last);
    },
    destroy: () => socket.destroy(),
    get destroyed() {
      return socket.destroyed;
    },
    get queuedBytes() {
      return socket.writableLength;
    },
  };
}

/** What every TLS handshake must negotiate: version, suite and group. */
export const TLS_HANDSHAKE = `${TLS_VERSION} ${TLS_CIPHER} ${TLS_GROUP}`;

/** The generator's TLS client context: trusts `caFile`, allows only the pinned version and suite. */
export function tlsClientContext(caFile: string): SecureContext {
  return createSecureContext({
    ca: readFileSync(caFile),
    minVersion: TLS_VERSION,
    maxVersion: TLS_VERSION,
    ciphers: TLS_CIPHER,
  });
}

// ─── WebSocket ───────────────────────────────────────────────────────────────

/** The `ws` client, typed through the broker's own `ws` types (apps/broker has no @types/ws). */
type WebSocket = WebSocketDuplex['webSocket'];
const { WebSocket: WebSocketClient } = createRequire(import.meta.url)('ws') as {
  WebSocket: new (
    address: string,
    protocol: string,
    options: {
      perMessageDeflate: boolean;
      skipUTF8Validation: boolean;
      generateMask: (mask: Buffer) => void;
    },
  ) => WebSocket;
};

/**
 * A client must mask every frame it sends. An all-zero mask is a valid mask (the broker still
 * unmasks, at the same cost) and lets `ws` send the generator's buffer as is instead of copying
 * and XOR-ing it, which only saves generator CPU.
 */
function zeroMask(mask: Buffer): void {
  mask.fill(0);
}

function openWebSocket(endpoint: Endpoint, events: TransportEvents): Transport {
  const ws = new WebSocketClient(`ws://${endpoint.host}:${endpoint.port}${WS_PATH}`, WS_SUBPROTOCOL, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    generateMask: zeroMask,
  });
  // Writes before the upgrade completes (the CONNECT) go out as one message once it has.
  let early: Uint8Array[] | undefined = [];
  let endAfterOpen = false;
  let destroyed = false;
  const send = (bytes: Uint8Array): void => ws.send(bytes, { binary: true });
  ws.on('open', () => {
    if (ws.protocol !== WS_SUBPROTOCOL) {
      ws.terminate();
      events.onClose(`subprotocol "${ws.protocol}", expected "${WS_SUBPROTOCOL}"`);
      return;
    }
    const queued = early!;
    early = undefined;
    if (queued.length > 0) send(queued.length === 1 ? queued[0]! : Buffer.concat(queued));
    if (endAfterOpen) ws.close(1000);
  });
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      events.onClose('text frame from the broker');
      return;
    }
    // binaryType 'nodebuffer' (the default): one Buffer per message.
    const buffer = data as Buffer;
    events.onData(buffer, buffer.length);
  });
  ws.on('error', (error) => events.onClose(error.message));
  ws.on('close', () => {
    destroyed = true;
    events.onClose('closed');
  });
  return {
    write: (bytes) => {
      if (early !== undefined) early.push(bytes);
      else if (ws.readyState === ws.OPEN) send(bytes);
    },
    end: (last) => {
      if (early !== undefined) {
        early.push(last);
        endAfterOpen = true;
      } else if (ws.readyState === ws.OPEN) {
        send(last);
        ws.close(1000);
      }
    },
    destroy: () => {
      destroyed = true;
      ws.terminate();
    },
    get destroyed() {
      return destroyed;
    },
    get queuedBytes() {
      return ws.bufferedAmount;
    },
  };
}

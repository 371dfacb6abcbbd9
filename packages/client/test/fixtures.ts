/**
 * Brokers for the client's integration tests, on 127.0.0.1 and ephemeral ports, as async-disposable
 * resources: the mqttkit broker in-process (TCP and WebSocket, with a way to cut the network or
 * restart it on the same port) and a helper to wait for events with a bound.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Broker, type BrokerOptions } from '@mqttkit/broker';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ClientEvents, MqttClient } from '../src/client.js';

/** An in-process mqttkit broker listening on TCP (and WebSocket) on 127.0.0.1. */
export interface BrokerFixture extends AsyncDisposable {
  /** The broker now serving (replaced by `restart`). */
  readonly broker: Broker;
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<wsPort>/mqtt` */
  readonly wsUrl: string;
  /**
   * Cuts every client connection without a DISCONNECT and stops listening, as a crashed broker would;
   * the broker keeps its sessions, so `listen()` afterwards acts as a restart with a durable store.
   */
  kill(): Promise<void>;
  /** Listens again on the same ports. */
  listen(): Promise<void>;
  /** Closes the broker (v5 clients get DISCONNECT 0x8B) and starts a new one, empty, on the same ports. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a broker with `options` and TCP + WebSocket listeners on ephemeral ports of 127.0.0.1. */
export async function startBroker(options: BrokerOptions = {}): Promise<BrokerFixture> {
  let broker = new Broker(options);
  await broker.start();
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    broker.handleConnection(socket, {
      listenerId: 'test-tcp',
      remoteAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    });
  };
  let tcp: Server = createServer(accept);
  let http: HttpServer = createHttpServer();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  const upgrade = (
    request: Parameters<WebSocketServer['handleUpgrade']>[0],
    socket: Socket,
    head: Buffer,
  ) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    wss.handleUpgrade(request, socket, head, (ws) => {
      broker.handleConnection(createWebSocketStream(ws), { listenerId: 'test-ws', remoteAddress: 'ws' });
    });
  };
  http.on('upgrade', upgrade);
  const port = await listenOn(tcp, 0);
  const wsPort = await listenOn(http, 0);
  const stopListening = async () => {
    await Promise.all([closeServer(tcp), closeServer(http)]);
  };
  const fixture: BrokerFixture = {
    get broker() {
      return broker;
    },
    port,
    url: `mqtt://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}/mqtt`,
    async kill() {
      const closing = stopListening();
      for (const socket of sockets) socket.destroy();
      await closing;
    },
    async listen() {
      tcp = createServer(accept);
      http = createHttpServer();
      http.on('upgrade', upgrade);
      await listenOn(tcp, port);
      await listenOn(http, wsPort);
    },
    async restart() {
      const closing = stopListening();
      await broker.close();
      for (const socket of sockets) socket.destroy();
      await closing;
      broker = new Broker(options);
      await broker.start();
      await fixture.listen();
    },
    async close() {
      const closing = stopListening();
      await broker.close();
      for (const socket of sockets) socket.destroy();
      await closing;
      wss.close();
    },
    [Symbol.asyncDispose]: () => fixture.close(),
  };
  return fixture;
}

function listenOn(server: Server | HttpServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server | HttpServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) resolve();
    else server.close(() => resolve());
  });
}

/** Resolves with the arguments of the client's next `event`, or rejects naming it after `timeoutMs`. */
export function nextEvent<K extends keyof ClientEvents>(
  client: MqttClient,
  event: K,
  timeoutMs = 5000,
): Promise<ClientEvents[K]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: ClientEvents[K]) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      client.off(event, listener);
      reject(new Error(`no '${String(event)}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    client.once(event, listener);
  });
}

/** Polls `condition` every 10 ms until it holds, or rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** UTF-8 text of a payload. */
export function text(payload: Uint8Array): string {
  return new TextDecoder().decode(payload);
}

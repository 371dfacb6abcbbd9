import { createServer, type Server, type Socket } from 'node:net';
import type { Broker } from '../broker.js';
import { type BrokerLimits, type ListenerLimits, resolveListenerLimits } from '../limits.js';
import { bindServer, type Listener, unbindServer } from './listener.js';

/** Where and how a TCP listener accepts MQTT connections. */
export interface TcpListenerOptions {
  /** Defaults to `tcp:<port>`. */
  id?: string;
  /** Port to bind; 0 picks an ephemeral one. Default 1883. */
  port?: number;
  /** Address to bind. Default `0.0.0.0`. */
  host?: string;
  /** Connections this listener accepts at once; more are refused at accept. Default: no limit here. */
  maximumConnections?: number;
  /** Limits for this listener's connections, over the broker's (`ListenerLimits`). */
  limits?: ListenerLimits;
}

/** Plain MQTT over TCP (default port 1883). */
export function createTcpListener(broker: Broker, options: TcpListenerOptions = {}): Listener {
  const port = options.port ?? 1883;
  const host = options.host ?? '0.0.0.0';
  let id = options.id ?? `tcp:${port}`;
  const limits = resolveListenerLimits(broker.limits, options.limits);
  const server: Server = createServer({ noDelay: true }, (socket) => accept(broker, socket, id, limits));
  if (options.maximumConnections !== undefined) server.maxConnections = options.maximumConnections;
  const listener: Listener = {
    get id() {
      return id;
    },
    protocol: 'tcp',
    listen: async () => {
      const bound = await bindServer(server, port, host, (error) =>
        broker.logger.error({ listenerId: id, err: error }, 'TCP server error'),
      );
      if (options.id === undefined) id = `tcp:${bound.port}`;
      return bound;
    },
    close: () => unbindServer(server),
  };
  broker.addListener(listener);
  return listener;
}

/** Hand an accepted socket to the broker. */
export function accept(broker: Broker, socket: Socket, listenerId: string, limits?: BrokerLimits): void {
  // Writes are batched per event-loop turn by the broker, so Nagle only adds latency.
  socket.setNoDelay(true);
  // The remote address is read from the socket only if a hook or a log asks for it.
  broker.handleConnection(
    socket,
    limits === undefined || limits === broker.limits ? { listenerId } : { listenerId, limits },
  );
}

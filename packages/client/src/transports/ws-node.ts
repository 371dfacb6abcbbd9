import { createWebSocketStream, WebSocket } from 'ws';
import { streamTransport, whenReady } from './node-stream.js';
import { nodeTlsOptions } from './tls.js';
import type { TransportOpener } from './transport.js';

/**
 * `ws://` and `wss://` in Node, with the `ws` package: subprotocol `mqtt` [MQTT-6.0.0-3], binary
 * frames only [MQTT-6.0.0-1]. The socket is wrapped as a duplex stream, which gives writes the same
 * back-pressure ('drain') as TCP.
 */
export const openWsNode: TransportOpener = async (target, events, signal) => {
  const url = `${target.protocol}://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}${target.path}`;
  const socket = new WebSocket(url, ['mqtt'], {
    ...(target.ws?.headers === undefined ? {} : { headers: { ...target.ws.headers } }),
    ...(target.protocol === 'wss' ? nodeTlsOptions(target.host, target.tls) : {}),
    perMessageDeflate: false,
  });
  await whenReady(socket, 'open', signal, () => socket.terminate());
  return streamTransport(createWebSocketStream(socket), events);
};

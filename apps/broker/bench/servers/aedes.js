/**
 * Aedes under test: in-memory persistence and mqemitter (its defaults), served the way its docs
 * (docs/Examples.md) show for each transport: `net.createServer(aedes.handle)`,
 * `tls.createServer(options, aedes.handle)`, or an HTTP server with the `ws` package's
 * WebSocketServer and `createWebSocketStream(websocket)` handed to `aedes.handle`.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { brokerOptions, listenerSpec, serveControl, tlsServerOptions } from './control.js';

const spec = listenerSpec();
const aedes = await Aedes.createBroker(brokerOptions());
let server;
if (spec.transport === 'tls') {
  server = createTlsServer(tlsServerOptions(spec), aedes.handle);
} else if (spec.transport === 'ws') {
  server = createHttpServer();
  const wss = new WebSocketServer({ server, path: spec.path });
  wss.on('connection', (websocket, req) => aedes.handle(createWebSocketStream(websocket), req));
} else {
  server = createNetServer(aedes.handle);
}
server.listen(0, '127.0.0.1', () => serveControl(server.address().port));

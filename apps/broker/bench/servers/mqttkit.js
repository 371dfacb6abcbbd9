/**
 * mqttkit under test: the built broker (`@mqttkit/broker` resolves to dist), one listener of the
 * row's transport: `createTcpListener`, `createTlsListener` or `createWebSocketListener`.
 */
import { Broker } from '@mqttkit/broker';
import { brokerOptions, listenerSpec, serveControl, tlsServerOptions } from './control.js';

const host = '127.0.0.1';
const spec = listenerSpec();
const broker = new Broker({ limits: brokerOptions() });
await broker.start();
let listener;
if (spec.transport === 'tls') {
  const { createTlsListener } = await import('@mqttkit/broker/tls');
  listener = createTlsListener(broker, { host, port: 0, ...tlsServerOptions(spec) });
} else if (spec.transport === 'ws') {
  const { createWebSocketListener } = await import('@mqttkit/broker/ws');
  listener = createWebSocketListener(broker, { host, port: 0, path: spec.path });
} else {
  const { createTcpListener } = await import('@mqttkit/broker/tcp');
  listener = createTcpListener(broker, { host, port: 0 });
}
const { port } = await listener.listen();
serveControl(port);

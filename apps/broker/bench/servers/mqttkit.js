/** mqttkit under test: the built broker (`@mqttkit/broker` resolves to dist), one TCP listener. */
import { Broker } from '@mqttkit/broker';
import { createTcpListener } from '@mqttkit/broker/tcp';
import { brokerOptions, serveControl } from './control.js';

const broker = new Broker({ limits: brokerOptions() });
await broker.start();
const { port } = await createTcpListener(broker, { host: '127.0.0.1', port: 0 }).listen();
serveControl(port);

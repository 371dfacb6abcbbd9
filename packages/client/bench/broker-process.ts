/**
 * The mqttkit broker in its own process for the benchmark, so it does not share the clients' event
 * loop. Prints nothing; talks to the parent over IPC: sends `{ port }` once listening, answers
 * `'stats'` with `{ received }` (PUBLISH packets received), exits on `'stop'`.
 */
import { Broker } from '@mqttkit/broker';
import { createTcpListener } from '@mqttkit/broker/tcp';

const broker = new Broker({ limits: { receiveMaximum: 65535, maximumQueuedMessages: 100_000 } });
await broker.start();
const { port } = await createTcpListener(broker, { port: 0, host: '127.0.0.1' }).listen();
process.send?.({ port });
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ received: broker.stats.messagesReceived });
  if (message === 'stop') void broker.close().then(() => process.exit(0));
});

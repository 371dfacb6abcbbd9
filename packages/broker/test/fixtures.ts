import { RawClient, rawConnect } from '@mqttkit/testkit';
import { Broker, type BrokerOptions } from '../src/index.js';
import { createTcpListener } from '../src/transports/tcp.js';

/** A started broker on an ephemeral port of 127.0.0.1, disposed with `await using`. */
export interface BrokerFixture extends AsyncDisposable {
  readonly broker: Broker;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Start a broker with a TCP listener on 127.0.0.1 port 0. */
export async function startBroker(options: BrokerOptions = {}): Promise<BrokerFixture> {
  const broker = new Broker(options);
  await broker.start();
  const { port } = await createTcpListener(broker, { port: 0, host: '127.0.0.1' }).listen();
  const close = () => broker.close();
  return { broker, port, url: `mqtt://127.0.0.1:${port}`, close, [Symbol.asyncDispose]: close };
}

/** A raw client that has sent CONNECT and received a CONNACK with code 0. */
export async function connectRaw(
  port: number,
  connect: Parameters<typeof rawConnect>[0],
): Promise<RawClient> {
  const client = await RawClient.connect(port);
  client.send(rawConnect(connect));
  const connack = await client.expectFrame({ type: 2 });
  const code = connack.body[1];
  if (code !== 0) throw new Error(`CONNACK refused with code 0x${code?.toString(16)}`);
  return client;
}

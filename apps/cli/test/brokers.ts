/**
 * The brokers the end-to-end tests run against: mqttkit's own (in this test process, from
 * `@mqttkit/broker`) and Debian's Mosquitto (from `@mqttkit/testkit`), both on 127.0.0.1 port 0.
 */
import { Broker } from '@mqttkit/broker';
import { createTcpListener } from '@mqttkit/broker/tcp';
import { missingMosquittoTools, startMosquitto } from '@mqttkit/testkit';

/** A broker under test. */
export interface TestBroker extends AsyncDisposable {
  readonly name: string;
  readonly port: number;
  /** The broker's process id (this process for the in-process broker). */
  readonly pid: number;
  close(): Promise<void>;
}

/**
 * Starts an in-process mqttkit broker on 127.0.0.1, port 0; with `refuseAll` it refuses every
 * connection as not authorised (CONNACK 5 for 3.x, 0x87 for v5), like a Mosquitto without anonymous
 * access.
 */
export async function startMqttkitBroker(options: { refuseAll?: boolean } = {}): Promise<TestBroker> {
  const broker = new Broker({
    responseInformation: 'responses',
    ...(options.refuseAll === true
      ? { hooks: [{ id: 'refuse-all', authenticate: () => 'deny' as const }] }
      : {}),
  });
  await broker.start();
  const { port } = await createTcpListener(broker, { port: 0, host: '127.0.0.1' }).listen();
  const close = () => broker.close();
  return { name: 'mqttkit-broker', port, pid: process.pid, close, [Symbol.asyncDispose]: close };
}

/** Starts Debian's mosquitto on 127.0.0.1 and a free port; `refuseAll` turns anonymous access off. */
export async function startMosquittoBroker(options: { refuseAll?: boolean } = {}): Promise<TestBroker> {
  // A later allow_anonymous overrides the helper's `allow_anonymous true`.
  const mosquitto = await startMosquitto(
    options.refuseAll === true ? { config: ['allow_anonymous false'] } : {},
  );
  return {
    name: 'mosquitto',
    port: mosquitto.port,
    pid: mosquitto.pid,
    close: () => mosquitto.stop(),
    [Symbol.asyncDispose]: () => mosquitto.stop(),
  };
}

/**
 * Mosquitto tools that are missing, for `describe.skipIf`; the reason is shown in the suite name. With
 * `CI` set a missing tool is a failure (see the test that checks it), never a silent skip.
 */
export const MISSING_MOSQUITTO = missingMosquittoTools();

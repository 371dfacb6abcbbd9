/**
 * Client publish throughput: @mqttkit/client against MQTT.js (`mqtt`), same run, same broker, same
 * usage pattern. Brokers run in their own process (the mqttkit broker in a child Node process, and
 * Debian's mosquitto when installed), so they do not share the clients' event loop. A third peer, the
 * null broker (bench/null-broker.ts), only acknowledges: it shows what the clients themselves cost,
 * since with a real broker the broker's own ingest rate caps QoS 0.
 *
 *   QoS 0: publish N messages, waiting on every 1024th publish (back-pressure), then one QoS 1
 *          publish as a fence: its PUBACK means the broker has read everything before it.
 *   QoS 1: N messages with at most WINDOW unacknowledged; done when every PUBACK is in.
 *
 * Run after building (from the repo root: `npx turbo run build --filter=@mqttkit/client...`):
 *   npx tsx bench/index.ts [--quick] [--json]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { mosquittoAvailable, startMosquitto } from '@mqttkit/testkit';
import mqtt from 'mqtt';
import { connect, type MqttClient } from '../src/index.js';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const N_QOS0 = QUICK ? 50_000 : 300_000;
const N_QOS1 = QUICK ? 20_000 : 60_000;
const WINDOW = 1000;
const RUNS = QUICK ? 1 : 3;
const PAYLOAD = new Uint8Array(64).fill(0x61);
const TOPIC = 'bench/client/topic';
const VERSIONS = [4, 5] as const;

/** One client implementation behind the two operations the benchmark needs. */
interface Contender {
  readonly name: string;
  qos0(n: number): Promise<void>;
  qos1(n: number, window: number): Promise<void>;
  close(): Promise<void>;
}

async function ours(url: string, protocolVersion: 4 | 5): Promise<Contender> {
  const client: MqttClient = await connect(url, { protocolVersion, offlineQueueLimit: 1_000_000 });
  return {
    name: '@mqttkit/client',
    async qos0(n) {
      for (let i = 0; i < n; i++) {
        const done = client.publish(TOPIC, PAYLOAD);
        if ((i & 1023) === 1023) await done;
      }
      await client.publish(TOPIC, PAYLOAD, { qos: 1 });
    },
    qos1: (n, window) =>
      windowed(n, window, (onAck) => void client.publish(TOPIC, PAYLOAD, { qos: 1 }).then(onAck)),
    close: () => client.end(),
  };
}

async function mqttJs(url: string, protocolVersion: 4 | 5): Promise<Contender> {
  const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0 });
  const payload = Buffer.from(PAYLOAD);
  return {
    name: 'MQTT.js 5.16',
    async qos0(n) {
      for (let i = 0; i < n; i++) {
        if ((i & 1023) === 1023) {
          await new Promise<void>((resolve) => client.publish(TOPIC, payload, { qos: 0 }, () => resolve()));
        } else {
          client.publish(TOPIC, payload, { qos: 0 });
        }
      }
      await client.publishAsync(TOPIC, payload, { qos: 1 });
    },
    qos1: (n, window) =>
      windowed(n, window, (onAck) => client.publish(TOPIC, payload, { qos: 1 }, () => onAck())),
    close: () => client.endAsync(),
  };
}

/** Publishes `n` messages keeping at most `window` unacknowledged; resolves when all are acknowledged. */
function windowed(n: number, window: number, publish: (onAck: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let sent = 0;
    let acked = 0;
    const onAck = () => {
      acked++;
      if (acked === n) resolve();
      else if (sent < n) {
        sent++;
        publish(onAck);
      }
    };
    while (sent < Math.min(window, n)) {
      sent++;
      publish(onAck);
    }
  });
}

interface Row {
  broker: string;
  version: string;
  qos: 0 | 1;
  ours: Result;
  theirs: Result;
}

/** Messages per second, and the client process's CPU time per message (user + system, microseconds). */
interface Result {
  rate: number;
  cpuMicros: number;
}

async function measure(make: () => Promise<Contender>, qos: 0 | 1): Promise<Result> {
  const results: Result[] = [];
  for (let run = 0; run < RUNS; run++) {
    const contender = await make();
    // A short warm-up lets the JIT settle before the timed part.
    if (qos === 0) await contender.qos0(Math.min(20_000, N_QOS0));
    else await contender.qos1(Math.min(5_000, N_QOS1), WINDOW);
    const n = qos === 0 ? N_QOS0 : N_QOS1;
    const cpu = process.cpuUsage();
    const start = performance.now();
    if (qos === 0) await contender.qos0(n);
    else await contender.qos1(n, WINDOW);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    results.push({ rate: n / seconds, cpuMicros: (used.user + used.system) / n });
    await contender.close();
  }
  results.sort((a, b) => a.rate - b.rate);
  return results[Math.floor(results.length / 2)]!;
}

/** Forks `script` (run through tsx) and resolves with the port it reports over IPC. */
async function startChild(
  script: string,
): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(path, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code}`)));
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

async function benchBroker(broker: string, url: string, rows: Row[]): Promise<void> {
  for (const version of VERSIONS) {
    for (const qos of [0, 1] as const) {
      const theirs = await measure(() => mqttJs(url, version), qos);
      const mine = await measure(() => ours(url, version), qos);
      rows.push({ broker, version: version === 5 ? '5.0' : '3.1.1', qos, ours: mine, theirs });
      process.stderr.write(
        `${broker} v${version} QoS ${qos}: ours ${fmt(mine.rate)}/s, MQTT.js ${fmt(theirs.rate)}/s\n`,
      );
    }
  }
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en-US');
}

const rows: Row[] = [];
for (const [name, script] of [
  ['null broker', './null-broker.ts'],
  ['mqttkit-broker', './broker-process.ts'],
] as const) {
  const peer = await startChild(script);
  try {
    await benchBroker(name, peer.url, rows);
  } finally {
    await peer.stop();
  }
}
if (mosquittoAvailable()) {
  // Without a limit mosquitto announces Receive Maximum 20 to v5 clients, which would measure the window, not the client.
  await using mosquitto = await startMosquitto({
    config: ['max_inflight_messages 0', 'max_queued_messages 0'],
  });
  await benchBroker('mosquitto', `mqtt://127.0.0.1:${mosquitto.port}`, rows);
} else {
  process.stderr.write('mosquitto is not installed: measuring against the mqttkit broker only\n');
}

if (args.has('--json')) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log(
    `\nClient publish throughput, ${PAYLOAD.length}-byte payload, QoS 0: ${fmt(N_QOS0)} msgs, QoS 1: ${fmt(N_QOS1)} msgs (window ${WINDOW}); median of ${RUNS}.`,
  );
  console.log(
    `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}\n`,
  );
  console.log(
    '| broker | MQTT | QoS | @mqttkit/client msgs/s | MQTT.js msgs/s | ratio | CPU µs/msg ours | CPU µs/msg MQTT.js |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.broker} | ${row.version} | ${row.qos} | ${fmt(row.ours.rate)} | ${fmt(row.theirs.rate)} | ` +
        `${(row.ours.rate / row.theirs.rate).toFixed(2)}x | ${row.ours.cpuMicros.toFixed(2)} | ${row.theirs.cpuMicros.toFixed(2)} |`,
    );
  }
}

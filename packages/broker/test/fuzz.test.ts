/**
 * Bounded property-based fuzzing of the broker over real sockets. Bad input must get a clear,
 * spec-mandated answer (nothing, a refusing CONNACK, a v5 DISCONNECT, a closed socket), never a
 * crash, a hang, a leaked connection or lost data. The hostile inputs:
 * - random bytes as the first bytes of a connection, bare or after a valid 3.1 / 3.1.1 / 5.0 CONNECT;
 * - valid 3.1.1 and 5.0 session scripts (CONNECT with a will, SUBSCRIBE, PUBLISH QoS 0/1/2, PUBREL,
 *   PINGREQ, UNSUBSCRIBE, DISCONNECT) with hostile topics swapped in, then bit flips, truncation,
 *   duplicated and spliced bytes, sent in random chunks.
 * After every case the fuzz socket is closed and the broker must count it gone; a fresh client must
 * CONNECT, SUBSCRIBE, PUBLISH QoS 1 and receive its own message; an observer subscribed to `#` and
 * `$SYS/#` must have received no PUBLISH with an invalid topic or one starting with `$`; and nothing
 * may have been thrown (uncaught exception, unhandled rejection, warning or error log).
 *
 * Each property stops after NUM_RUNS cases or TIME_LIMIT_MS, whichever comes first, and every wait
 * inside a case is bounded. The seed is fixed: a failure prints `{ seed, path }` and the shrunk
 * counterexample; run again with FUZZ_SEED=<seed> to reproduce it (the default seed reproduces itself).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  describeFrame,
  frame,
  type ParsedConnack,
  parseAck,
  parseConnack,
  parseDisconnect,
  parsePublish,
  parseSuback,
  parseUnsuback,
  RawClient,
  type RawFrame,
  type RawString,
  type RawVersion,
  rawConnect,
  rawDisconnect,
  rawPingreq,
  rawPublish,
  rawPubrel,
  rawSubscribe,
  rawUnsubscribe,
  u8,
  utf8String,
} from '@mqttkit/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../src/index.js';
import { type BrokerFixture, startBroker } from './fixtures.js';
import { connect, subscribe, T, until } from './raw-helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x6d717474);
const NUM_RUNS = 150;
/** Per property: a slow 2-core machine stops here with fewer runs, and the file stays under 30 s. */
const TIME_LIMIT_MS = 6000;
/** A backstop per case; the waits inside a case are bounded well below it. */
const CASE_TIMEOUT_MS = 10_000;
/** Every wait for the broker inside a case. */
const WAIT_MS = 2000;
/** Once the broker has read everything, this long without a frame means it has nothing more to say. */
const QUIET_MS = 40;
/** Small, so random Remaining Lengths often exceed it: such frames must be refused at once. */
const MAXIMUM_PACKET_SIZE = 2048;

const parameters = (): fc.Parameters<unknown> => ({
  seed: SEED,
  numRuns: NUM_RUNS,
  plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS), fc.timeout(CASE_TIMEOUT_MS)],
});

// ─── What a server may send (from the specifications, not from the broker's constants) ──────────

/** Packet types a server sends after accepting a client, besides DISCONNECT (3.1.1 section 2.2.1, 5.0 section 2.1.2). */
const AFTER_CONNACK: ReadonlySet<number> = new Set([
  T.PUBLISH,
  T.PUBACK,
  T.PUBREC,
  T.PUBREL,
  T.PUBCOMP,
  T.SUBACK,
  T.UNSUBACK,
  T.PINGRESP,
]);
/** MQTT 5.0 CONNACK reason codes that refuse a connection (table 3-1). */
const V5_CONNACK_REFUSALS = new Set([
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b,
  0x9c, 0x9d, 0x9f,
]);
/** MQTT 5.0 DISCONNECT error codes a server may send (table 3-10). */
const V5_SERVER_DISCONNECT_ERRORS = new Set([
  0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
  0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
]);
const TOPIC_ALIAS = 0x23;

/** Why a delivered Topic Name is invalid, or undefined [MQTT-3.3.2-2], [MQTT-1.5.4-2], [MQTT-4.7.3-1]. */
function invalidTopic(topic: string, hasAlias: boolean): string | undefined {
  if (topic === '' && !hasAlias) return 'is empty without a Topic Alias [MQTT-4.7.3-1]';
  if (topic.includes('+') || topic.includes('#')) return 'holds a wildcard [MQTT-3.3.2-2]';
  if (topic.includes('\u0000')) return 'holds U+0000 [MQTT-1.5.4-2]';
  return undefined;
}

/** How a fuzz connection went, as far as the frames received so far tell. */
interface Verdict {
  connack: ParsedConnack | undefined;
  /** Why the broker must close the connection (a refusing CONNACK or a DISCONNECT was sent). */
  mustClose: string | undefined;
}

/**
 * Checks everything a fuzz client received against what a server may send: CONNACK first, a refusal
 * with a refusing code and nothing after it, then only packets a server sends, well formed, in the
 * connection's version, with a v5 DISCONNECT last. `known` is the version of a valid CONNECT sent;
 * otherwise the CONNACK's form tells it (3.x has a two-byte body, 5.0 adds properties).
 */
function judge(frames: readonly RawFrame[], known: RawVersion | undefined): Verdict {
  const [first, ...rest] = frames;
  if (first === undefined) return { connack: undefined, mustClose: undefined };
  if (first.type !== T.CONNACK) {
    throw new Error(
      `the first packet from a server must be CONNACK [MQTT-3.2.0-1]; got ${describeFrame(first)}`,
    );
  }
  const version = known ?? (first.body.length === 2 ? 4 : 5);
  const connack = parseConnack(first, version);
  if ((connack.flags & 0xfe) !== 0) throw new Error(`CONNACK reserved flags set [MQTT-3.2.2-1]`);
  if (connack.code !== 0) {
    const hex = `0x${connack.code.toString(16)}`;
    if (version === 5 ? !V5_CONNACK_REFUSALS.has(connack.code) : connack.code > 5) {
      throw new Error(`CONNACK ${hex} is not a v${version} refusal code`);
    }
    if (connack.sessionPresent) throw new Error(`CONNACK ${hex} with Session Present [MQTT-3.2.2-4]`);
    if (rest.length > 0) throw new Error(`${describeFrame(rest[0]!)} after CONNACK ${hex} [MQTT-3.2.2-5]`);
    return { connack, mustClose: `CONNACK ${hex}` };
  }
  for (const [i, received] of rest.entries()) {
    checkAfterConnack(received, version);
    if (received.type !== T.DISCONNECT) continue;
    if (i < rest.length - 1) {
      throw new Error(`${describeFrame(rest[i + 1]!)} after DISCONNECT [MQTT-3.14.4-1]`);
    }
    return { connack, mustClose: describeFrame(received) };
  }
  return { connack, mustClose: undefined };
}

/** One packet after CONNACK 0: a type a server sends, the right fixed-header flags, a well-formed body. */
function checkAfterConnack(received: RawFrame, version: RawVersion): void {
  const what = describeFrame(received);
  if (received.type === T.DISCONNECT) {
    if (version !== 5) throw new Error(`a 3.x server never sends DISCONNECT; got ${what}`);
    const { reasonCode } = parseDisconnect(received, 5);
    if (!V5_SERVER_DISCONNECT_ERRORS.has(reasonCode)) throw new Error(`not a server error code: ${what}`);
    return;
  }
  if (!AFTER_CONNACK.has(received.type)) throw new Error(`a server does not send ${what}`);
  if (received.type === T.PUBLISH) {
    const qos = (received.flags >> 1) & 3;
    if (qos === 3 || (qos === 0 && (received.flags & 8) !== 0)) {
      throw new Error(`PUBLISH flags [MQTT-3.3.1-2], [MQTT-3.3.1-4]: ${what}`);
    }
    const publish = parsePublish(received, version);
    const hasAlias = publish.properties.some(([id]) => id === TOPIC_ALIAS);
    const invalid = invalidTopic(publish.topic, hasAlias);
    if (invalid !== undefined)
      throw new Error(`PUBLISH to the fuzz client: topic ${JSON.stringify(publish.topic)} ${invalid}`);
    return;
  }
  // Reserved fixed-header flags: 0b0010 for PUBREL, 0 for the others [MQTT-2.2.2-1].
  if (received.flags !== (received.type === T.PUBREL ? 2 : 0)) throw new Error(`reserved flags: ${what}`);
  if (received.type === T.SUBACK) parseSuback(received, version);
  else if (received.type === T.UNSUBACK) parseUnsuback(received, version);
  else if (received.type === T.PINGRESP) expect(received.body.length, what).toBe(0);
  else parseAck(received, version);
}

/** How the bytes a client sent split into frames: complete ones, then what is left at the end. */
interface Framing {
  complete: number;
  /** `too-large`: a Remaining Length over the limit; `malformed`: a fifth length byte (section 2.2.3). */
  tail: 'none' | 'partial' | 'too-large' | 'malformed';
}

function framing(bytes: Uint8Array): Framing {
  let at = 0;
  let complete = 0;
  while (at < bytes.length) {
    let length = 0;
    let bodyStart = 0;
    for (let i = 1; i <= 4 && bodyStart === 0; i++) {
      const byte = bytes[at + i];
      if (byte === undefined) return { complete, tail: 'partial' };
      length += (byte & 0x7f) * 128 ** (i - 1);
      if ((byte & 0x80) === 0) bodyStart = at + i + 1;
    }
    if (bodyStart === 0) return { complete, tail: 'malformed' };
    if (length > MAXIMUM_PACKET_SIZE) return { complete, tail: 'too-large' };
    if (bodyStart + length > bytes.length) return { complete, tail: 'partial' };
    complete++;
    at = bodyStart + length;
  }
  return { complete, tail: 'none' };
}

// ─── The broker under test, its observer, and what must never happen ──────────────────────────────

let fixture: BrokerFixture;
let observer: RawClient;
let healthChecks = 0;
const thrown: string[] = [];
const logged: string[] = [];
const onThrown = (error: unknown): void => {
  thrown.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
};
/** Protocol errors are logged at debug level and dropped; a warning or an error is a finding. */
const logger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (_fields, message) => logged.push(`warn: ${message}`),
  error: (fields, message) => logged.push(`error: ${message} ${String((fields as { err?: unknown }).err)}`),
};

/** Sends the chunks as separate writes and waits until the broker has read them all (or closed). */
async function sendChunks(fuzz: RawClient, chunks: readonly Uint8Array[]): Promise<Uint8Array> {
  const stats = fixture.broker.stats;
  const before = stats.bytesReceived;
  const sent: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (fuzz.isClosed) break;
    try {
      await fuzz.send(chunk);
    } catch {
      break; // the broker closed meanwhile
    }
    sent.push(chunk);
    await new Promise(setImmediate);
  }
  const bytes = Buffer.concat(sent);
  // Only this socket sends during a case, so the broker's byte count says when it has read them all.
  await until(
    () => fuzz.isClosed || stats.bytesReceived - before >= bytes.length,
    WAIT_MS,
    `the broker to read the ${bytes.length} bytes sent (a hang)`,
  );
  // Then its answers go out within a turn: wait for the close, or for QUIET_MS without a frame.
  const deadline = Date.now() + WAIT_MS;
  let seen = -1;
  while (!fuzz.isClosed && fuzz.received.length !== seen && Date.now() < deadline) {
    seen = fuzz.received.length;
    await Promise.race([fuzz.closed, sleep(QUIET_MS)]);
  }
  return bytes;
}

/**
 * The answers so far must be allowed (`judge`); then the broker must not hang: a complete first packet
 * is answered or the connection closed [MQTT-3.1.0-1], a client it accepted gets PINGRESP to a probe
 * once whole packets were sent, and it closes after a refusal, a DISCONNECT, a malformed Remaining
 * Length or one over its Maximum Packet Size. A valid CONNECT must be accepted.
 */
async function checkAnswers(fuzz: RawClient, sent: Uint8Array, known: RawVersion | undefined): Promise<void> {
  const { complete, tail } = framing(sent);
  let verdict = judge(fuzz.received, known);
  if (verdict.connack === undefined && complete > 0) {
    await until(
      () => fuzz.isClosed || fuzz.received.length > 0,
      WAIT_MS,
      'an answer to a whole first packet',
    );
    verdict = judge(fuzz.received, known);
  }
  if (known !== undefined) expect(verdict.connack?.code, 'CONNACK to a valid CONNECT').toBe(0);
  if (!fuzz.isClosed && verdict.connack?.code === 0 && verdict.mustClose === undefined && tail === 'none') {
    const pingresps = () => fuzz.received.filter((f) => f.type === T.PINGRESP).length;
    const before = pingresps();
    await fuzz.send(rawPingreq()).catch(() => {});
    await until(
      () => fuzz.isClosed || pingresps() > before,
      WAIT_MS,
      'PINGRESP to a probe after whole packets',
    );
    verdict = judge(fuzz.received, known);
  }
  const mustClose =
    verdict.mustClose ??
    (tail === 'too-large' || tail === 'malformed' ? `a ${tail} frame header` : undefined);
  if (mustClose !== undefined) await until(() => fuzz.isClosed, WAIT_MS, `the close after ${mustClose}`);
}

/** Waits until the broker counts exactly `live` connections, naming the leak if it does not. */
async function connectionsBackTo(live: number, what: string): Promise<void> {
  const core = fixture.broker;
  await until(() => core.stats.connections === live && core.connectionCount === live, WAIT_MS).catch(() => {
    throw new Error(
      `leaked connection after ${what}: stats.connections ${core.stats.connections}, ` +
        `${core.connectionCount} tracked, ${live} live`,
    );
  });
}

/** PUBLISH frames the observer received from index `from` on, as parsed topics. */
function observedTopics(from: number): string[] {
  return observer.received.slice(from).map((received) => {
    if (received.type !== T.PUBLISH) throw new Error(`observer received ${describeFrame(received)}`);
    return parsePublish(received, 4).topic;
  });
}

/** A fresh client connects, subscribes, publishes QoS 1 and receives its own message; so does the observer. */
async function expectHealthy(observedFrom: number): Promise<void> {
  const n = ++healthChecks;
  const version = ([3, 4, 5] as const)[n % 3]!;
  const topic = `health/${n}`;
  const payload = `alive ${n}`;
  await using client = await connect(fixture.port, version, `health${n}`);
  expect(await subscribe(client, version, [{ filter: topic, qos: 1 }])).toEqual([1]);
  await client.send(rawPublish({ topic, payload, qos: 1, packetId: 2 }, version));
  const answers = [await client.expectFrame(), await client.expectFrame()];
  expect(answers.map((f) => f.type).sort()).toEqual([T.PUBLISH, T.PUBACK]);
  const own = parsePublish(answers.find((f) => f.type === T.PUBLISH)!, version);
  expect([own.topic, own.payload.toString(), own.qos]).toEqual([topic, payload, 1]);
  // Delivered after everything the fuzz client got routed, so the observer has seen all of that too.
  await until(() => observedTopics(observedFrom).includes(topic), WAIT_MS, `the observer to get ${topic}`);
}

/**
 * A case the time limit or the timeout plugin gave up on: fast-check cannot stop it, so the next case
 * (and the checks after a property) wait for it to finish rather than overlap with it.
 */
let inFlight: Promise<void> = Promise.resolve();

/** Runs one fuzz case after any case still in flight. */
async function runCase(chunks: readonly Uint8Array[], known?: RawVersion): Promise<void> {
  await inFlight;
  const run = fuzzCase(chunks, known);
  inFlight = run.then(
    () => {},
    () => {},
  );
  return run;
}

/** One fuzz case: the bytes, the checks on the answers, then the broker's health. */
async function fuzzCase(chunks: readonly Uint8Array[], known: RawVersion | undefined): Promise<void> {
  const start = {
    thrown: thrown.length,
    logged: logged.length,
    observed: observer.received.length,
    live: fixture.broker.stats.connections,
  };
  try {
    const fuzz = await RawClient.connect(fixture.port, { label: 'fuzz client', timeoutMs: WAIT_MS });
    try {
      await checkAnswers(fuzz, await sendChunks(fuzz, chunks), known);
    } finally {
      fuzz.destroy();
      await fuzz.closed;
    }
    await connectionsBackTo(start.live, 'closing the fuzz socket');
    await expectHealthy(start.observed);
    await connectionsBackTo(start.live, 'the health check');
  } finally {
    // Failed or not, the next case (a shrink step) measures its baseline after these sockets are gone.
    await until(() => fixture.broker.stats.connections <= start.live, WAIT_MS).catch(() => {});
  }
  expect(observer.isClosed, 'observer still connected').toBe(false);
  for (const topic of observedTopics(start.observed)) {
    // '#' and '$SYS/#' match no '$' topic a client may publish [MQTT-4.7.2-1]; $SYS is the broker's.
    const invalid = topic.startsWith('$') ? 'starts with $' : invalidTopic(topic, false);
    if (invalid !== undefined)
      throw new Error(`observer received topic ${JSON.stringify(topic)}, which ${invalid}`);
  }
  expect(thrown.slice(start.thrown), 'uncaught exceptions / unhandled rejections').toEqual([]);
  expect(logged.slice(start.logged), 'warnings and errors logged').toEqual([]);
}

/** After a property (and its last case): nothing thrown or logged, and only the observer connected. */
async function expectCleanBroker(): Promise<void> {
  await inFlight;
  expect(thrown).toEqual([]);
  expect(logged).toEqual([]);
  expect([fixture.broker.stats.connections, fixture.broker.connectionCount]).toEqual([1, 1]);
}

// ─── Inputs ──────────────────────────────────────────────────────────────────────────────────────

/** Random first bytes: noise, noise after CONNECT's first byte, and a framed CONNECT with a noisy body. */
const firstBytes = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((rest) => Buffer.concat([u8(0x10), rest])),
  fc
    .tuple(
      fc.constantFrom('MQTT', 'MQIsdp', 'MQTT\u0000', ''),
      fc.oneof(fc.constantFrom(3, 4, 5), fc.nat(255)),
      fc.uint8Array({ maxLength: 48 }),
    )
    .map(([name, level, rest]) => frame(0x10, Buffer.concat([utf8String(name), u8(level), rest]))),
);

/** Noise, or a well-framed packet of any first byte with a random body. */
const noise = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 64 }),
  fc.tuple(fc.nat(255), fc.uint8Array({ maxLength: 40 })).map(([first, body]) => frame(first, body)),
);

/** Topics for the session script: valid ones ('$' topics may be published), and hostile ones. */
const VALID_TOPICS: readonly RawString[] = ['fz/a', 'fz/b/c', '$fz/d'];
const HOSTILE_TOPICS: readonly RawString[] = [
  '$SYS/fz',
  '$SYS',
  'fz/+',
  'fz/#',
  '#',
  'fz/\u0000',
  '',
  Uint8Array.of(0x66, 0xc0, 0xaf), // an overlong '/'
  Uint8Array.of(0x66, 0xed, 0xa0, 0x80), // a UTF-16 surrogate
];
const topic = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VALID_TOPICS) },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_TOPICS) },
);

/** A valid session: the will, QoS 0, 1 and 2 PUBLISHes take the four topics; v5 adds aliases. */
function sessionScript(version: 4 | 5, [willTopic, t0, t1, t2]: readonly RawString[]): Buffer {
  const v5 = version === 5;
  const props = (...properties: [number, number | readonly [string, string]][]) => (v5 ? { properties } : {});
  return Buffer.concat([
    rawConnect({
      protocolVersion: version,
      clientId: `fz${version}`,
      keepAlive: 30,
      will: { topic: willTopic!, payload: 'gone', qos: 1, retain: false, ...props([0x01, 1]) },
      ...props([0x21, 16], [0x22, 8]),
    }),
    rawSubscribe(1, [{ filter: 'fz/#', qos: 2 }], version),
    rawPublish({ topic: t0!, payload: 'q0', ...props([TOPIC_ALIAS, 1]) }, version),
    rawPublish({ topic: t1!, payload: 'q1', qos: 1, packetId: 2, ...props([0x01, 1], [0x02, 60]) }, version),
    rawPublish({ topic: t2!, payload: 'q2', qos: 2, packetId: 3, ...props([0x26, ['k', 'v']]) }, version),
    ...(v5 ? [rawPublish({ topic: '', payload: 'by alias', properties: [[TOPIC_ALIAS, 1]] }, 5)] : []),
    rawPubrel(3, version),
    rawPingreq(),
    rawUnsubscribe(4, ['fz/#'], version),
    rawDisconnect(version),
  ]);
}

/** A byte-level mutation; positions are taken modulo the stream length. */
type Mutation =
  | { flip: number; bit: number }
  | { truncateAt: number }
  | { duplicate: number; length: number }
  | { splice: number; bytes: Uint8Array; overwrite: boolean };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ flip: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ truncateAt: fc.nat() }),
  fc.record({ duplicate: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
  fc.record({
    splice: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    overwrite: fc.boolean(),
  }),
);

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  if (bytes.length === 0) return bytes;
  if ('flip' in m) {
    const out = Buffer.from(bytes);
    out[m.flip % out.length]! ^= 1 << m.bit;
    return out;
  }
  if ('truncateAt' in m) return bytes.subarray(0, m.truncateAt % bytes.length);
  if ('duplicate' in m) {
    const at = m.duplicate % bytes.length;
    return Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
  }
  const at = m.splice % bytes.length;
  const resume = m.overwrite ? at + m.bytes.length : at;
  return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(resume)]);
}

/** Cuts the stream at the given offsets (modulo its length) into the chunks to write. */
function chunked(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  if (bytes.length === 0) return [];
  const offsets = [...new Set(cuts.map((c) => c % bytes.length))].filter((c) => c > 0).sort((a, b) => a - b);
  return [0, ...offsets].map((from, i) => bytes.subarray(from, offsets[i] ?? bytes.length));
}

// ─── Properties ──────────────────────────────────────────────────────────────────────────────────

describe('fuzz: hostile bytes over TCP', () => {
  beforeAll(async () => {
    process.on('uncaughtException', onThrown);
    process.on('unhandledRejection', onThrown);
    fixture = await startBroker({ logger, limits: { maximumPacketSize: MAXIMUM_PACKET_SIZE } });
    // Keep Alive 0: the observer only listens, and must outlive any run, however long.
    observer = await RawClient.connect(fixture.port, { label: 'observer' });
    await observer.send(rawConnect({ protocolVersion: 4, clientId: 'observer', keepAlive: 0 }));
    expect(parseConnack(await observer.expectFrame({ type: T.CONNACK }), 4).code).toBe(0);
    expect(
      await subscribe(observer, 4, [
        { filter: '#', qos: 0 },
        { filter: '$SYS/#', qos: 0 },
      ]),
    ).toEqual([0, 0]);
  });

  afterAll(async () => {
    observer?.destroy();
    await fixture?.close();
    process.off('uncaughtException', onThrown);
    process.off('unhandledRejection', onThrown);
  });

  it('random bytes as the first bytes of a connection', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(firstBytes, (bytes) => runCase([bytes])),
      parameters(),
    );
    await expectCleanBroker();
  });

  it('random bytes after a valid 3.1, 3.1.1 or 5.0 CONNECT', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<RawVersion>(3, 4, 5), noise, (version, tail) =>
        runCase(
          [Buffer.concat([rawConnect({ protocolVersion: version, clientId: `rc${version}` }), tail])],
          version,
        ),
      ),
      parameters(),
    );
    await expectCleanBroker();
  });

  it('mutated 3.1.1 and 5.0 session scripts, sent in random chunks', { timeout: 30_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<4 | 5>(4, 5),
        fc.tuple(topic, topic, topic, topic),
        fc.array(mutation, { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (version, topics, mutations, cuts) =>
          runCase(chunked(mutations.reduce(applyMutation, sessionScript(version, topics)), cuts)),
      ),
      {
        ...parameters(),
        examples: [
          // Found by this property (seed 0x6d717474), as fast-check shrank it: a will on '$SYS/fz', and
          // the SUBSCRIBE's first byte 0x82 flipped to 0x83 (malformed, [MQTT-3.8.1-1]). The broker
          // closes the connection and publishes the will into $SYS, where clients may not publish.
          [4, ['$SYS/fz', 'fz/a', 'fz/a', 'fz/a'], [{ flip: 32, bit: 0 }], []],
        ],
      },
    );
    await expectCleanBroker();
  });
});

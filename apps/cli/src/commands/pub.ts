/**
 * `mqttkit pub`: publish one message (`-m`, `-f`, `-s`, `-n`, optionally `--repeat`ed) or one per line
 * of standard input (`-l`), like mosquitto_pub; with `-e`, wait for one response like mosquitto_rr.
 * Exit codes: 0 when every message was accepted; 1 when one was refused or another error occurred;
 * the CONNACK code when the connection is refused; 27 when `-e`'s `-W` expires.
 */
import { readFile } from 'node:fs/promises';
import type { MqttClient, PublishResult } from '@mqttkit/client';
import type { PublishProperties } from '@mqttkit/types';
import { type PubArgs, parsePubArgs } from '../args/pub-args.js';
import { CliError, ExitCode, programName } from '../cli-error.js';
import { connectClient, describeError } from '../connect-client.js';
import { PUB_HELP } from '../help/pub-help.js';
import { readAll, readLines } from '../io/stdin.js';
import { DebugLog, describePublish } from '../output/debug-log.js';
import { OutputSink } from '../output/output-sink.js';
import { awaitResponse } from './pub-response.js';

const COMMAND = 'pub';
/** `-l` keeps at most this many publishes unsettled, so a fast pipe cannot outrun the broker unbounded. */
const LINE_WINDOW = 1000;
const ACKS = ['', 'PUBACK', 'PUBCOMP'] as const;

/** Runs `mqttkit pub` with `argv` (after the command name); resolves with the exit code. */
export async function runPub(argv: readonly string[]): Promise<number> {
  const args = parsePubArgs(argv);
  if (args.help) {
    process.stdout.write(PUB_HELP);
    return ExitCode.Ok;
  }
  // Read the message before connecting: a missing file should not cost a connection.
  const payload = await loadPayload(args);
  const sink = new OutputSink(process.stdout);
  const debug = new DebugLog(args.connection.debug, (line) => sink.write(line));
  const client = await connectClient(COMMAND, args.connection, debug, { reconnect: false });
  const publisher = new Publisher(args, client, sink, debug);
  let code: number;
  try {
    if (args.responseTopic !== undefined) {
      code = await awaitResponse(args, client, payload ?? new Uint8Array(0), sink, debug);
    } else if (payload === undefined) code = await publisher.publishLines();
    else code = await publisher.publishRepeated(payload);
  } finally {
    if (!client.closed) {
      debug.sending('DISCONNECT');
      const properties = args.connection.disconnectProperties;
      await client
        .end({ timeoutMs: 10_000, ...(properties === undefined ? {} : { properties }) })
        .catch(() => {});
    }
    await sink.drain();
  }
  return code;
}

/** The single message's payload, or undefined for `-l` (read line by line later). */
async function loadPayload(args: PubArgs): Promise<Uint8Array | undefined> {
  const { source } = args;
  switch (source.kind) {
    case 'message':
      return Buffer.from(source.text, 'utf8');
    case 'null':
      return new Uint8Array(0);
    case 'lines':
      return undefined;
    case 'stdin':
      return readAll(process.stdin).catch((error: unknown) => {
        throw new CliError(`${programName(COMMAND)}: cannot read standard input: ${describeError(error)}`);
      });
    case 'file':
      return readFile(source.path).catch((error: unknown) => {
        const reason = (error as NodeJS.ErrnoException).code ?? describeError(error);
        throw new CliError(`${programName(COMMAND)}: cannot read file '${source.path}' (${reason})`);
      });
  }
}

/** Publishes with the chosen QoS and reports each result (`-d`, `--json`) and each failure. */
class Publisher {
  readonly #args: PubArgs;
  readonly #client: MqttClient;
  readonly #sink: OutputSink;
  readonly #debug: DebugLog;
  readonly #properties: PublishProperties | undefined;
  #failed = false;

  constructor(args: PubArgs, client: MqttClient, sink: OutputSink, debug: DebugLog) {
    this.#args = args;
    this.#client = client;
    this.#sink = sink;
    this.#debug = debug;
    this.#properties = args.connection.properties.publish;
  }

  /** Publishes `payload` `--repeat` times, `--repeat-delay` apart, each after the previous completed. */
  async publishRepeated(payload: Uint8Array): Promise<number> {
    for (let i = 0; i < this.#args.repeat; i++) {
      if (i > 0 && this.#args.repeatDelayMs > 0) await sleep(this.#args.repeatDelayMs);
      await this.#publish(payload);
      if (this.#client.closed) break;
    }
    return this.#failed ? ExitCode.Error : ExitCode.Ok;
  }

  /** `-l`: one message per line of standard input, at most `LINE_WINDOW` unsettled at a time. */
  async publishLines(): Promise<number> {
    const window: Promise<void>[] = [];
    try {
      for await (const line of readLines(process.stdin)) {
        if (this.#client.closed) break;
        window.push(this.#publish(line));
        if (window.length >= LINE_WINDOW) await window.shift();
      }
    } catch (error) {
      this.#fail(`cannot read standard input: ${describeError(error)}`);
    }
    await Promise.all(window);
    return this.#failed ? ExitCode.Error : ExitCode.Ok;
  }

  async #publish(payload: Uint8Array): Promise<void> {
    const { topic, qos, retain } = this.#args;
    const started = performance.now();
    this.#debug.sending(describePublish({ topic, qos, retain, bytes: payload.byteLength }));
    let result: PublishResult;
    try {
      result = await this.#client.publish(topic, payload, {
        qos,
        retain,
        ...(this.#properties === undefined ? {} : { properties: this.#properties }),
      });
    } catch (error) {
      this.#fail(describeError(error));
      this.#report(
        { topic, qos, retain, bytes: payload.byteLength, ok: false, error: describeError(error) },
        started,
      );
      return;
    }
    if (qos > 0) this.#debug.received(`${ACKS[qos]} (rc${result.reasonCode})`);
    this.#report(
      { topic, qos, retain, bytes: payload.byteLength, ok: true, reasonCode: result.reasonCode },
      started,
    );
  }

  #report(result: Record<string, unknown>, started: number): void {
    if (!this.#args.connection.json) return;
    const ms = Math.round((performance.now() - started) * 1000) / 1000;
    this.#sink.write(`${JSON.stringify({ ...result, ms, completed: new Date().toISOString() })}\n`);
  }

  #fail(message: string): void {
    this.#failed = true;
    if (!this.#args.connection.quiet) process.stderr.write(`${programName(COMMAND)}: ${message}\n`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `mqttkit sub`: subscribe and print messages like mosquitto_sub. Exit codes: 0 after `-C` messages,
 * `-E`, `--retained-only`'s first fresh message or a signal; 27 when `-W` expires first; the CONNACK
 * code when the connection is refused; 1 for other errors.
 */
import { type MqttClient, type MqttMessage, SubscribeError } from '@mqttkit/client';
import { parseSubArgs, type SubArgs } from '../args/sub-args.js';
import { ExitCode, programName } from '../cli-error.js';
import { connectClient, describeError } from '../connect-client.js';
import { SUB_HELP } from '../help/sub-help.js';
import { DebugLog, describePublish } from '../output/debug-log.js';
import { renderMessage } from '../output/message-printer.js';
import { preciseNow } from '../output/message-view.js';
import { OutputSink } from '../output/output-sink.js';
import { topicMatches } from './topic-match.js';

const COMMAND = 'sub';

/** Runs `mqttkit sub` with `argv` (after the command name); resolves with the exit code. */
export async function runSub(argv: readonly string[]): Promise<number> {
  const args = parseSubArgs(argv);
  if (args.help) {
    process.stdout.write(SUB_HELP);
    return ExitCode.Ok;
  }
  const sink = new OutputSink(process.stdout);
  const debug = new DebugLog(args.connection.debug, (line) => sink.write(line));
  const client = await connectClient(COMMAND, args.connection, debug, { reconnect: true });
  return new Subscriber(args, client, sink, debug).run();
}

/** One subscription run: counts, filters and prints messages until something ends it. */
class Subscriber {
  readonly #args: SubArgs;
  readonly #client: MqttClient;
  readonly #sink: OutputSink;
  readonly #debug: DebugLog;
  #printed = 0;
  #done = false;
  #finish: (code: number) => void = () => {};

  constructor(args: SubArgs, client: MqttClient, sink: OutputSink, debug: DebugLog) {
    this.#args = args;
    this.#client = client;
    this.#sink = sink;
    this.#debug = debug;
  }

  /** Resolves with the exit code once the run ends and the client is closed. */
  async run(): Promise<number> {
    const args = this.#args;
    const finished = new Promise<number>((resolve) => {
      this.#finish = (code) => {
        if (this.#done) return;
        this.#done = true;
        resolve(code);
      };
    });
    // The -W clock starts once connected, as mosquitto_sub's does.
    const timer =
      args.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            this.#warn('timed out');
            this.#finish(ExitCode.Timeout);
          }, args.timeoutMs);
    const onSignal = () => this.#finish(ExitCode.Ok);
    // `mqttkit sub ... | head -1`: once the reader is gone, end as mosquitto_sub does on SIGPIPE.
    this.#sink.onBroken(() => this.#finish(ExitCode.Ok));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    this.#client.on('message', (message) => this.#onMessage(message));
    this.#client.on('error', (error) => {
      if (!this.#done) this.#warn(describeError(error));
    });
    this.#client.on('offline', (error) => {
      if (!this.#done) this.#warn(`connection lost (${describeError(error)}); reconnecting`);
    });
    this.#client.on('close', () => {
      if (this.#done) return;
      this.#warn('the connection is closed for good');
      this.#finish(ExitCode.Error);
    });
    void this.#subscribe();

    const code = await finished;
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (!this.#client.closed) {
      this.#debug.sending('DISCONNECT');
      const properties = args.connection.disconnectProperties;
      await this.#client
        .end({ timeoutMs: 2000, ...(properties === undefined ? {} : { properties }) })
        .catch(() => {});
    }
    await this.#sink.drain();
    return code;
  }

  async #subscribe(): Promise<void> {
    const args = this.#args;
    const properties = args.connection.properties;
    try {
      if (args.topics.length > 0) {
        for (const topic of args.topics) {
          this.#debug.sending(`SUBSCRIBE (Topic: ${topic}, QoS: ${args.qos})`);
        }
        const result = await this.#client
          .subscribe(args.topics, {
            qos: args.qos,
            ...(args.retainAsPublished ? { retainAsPublished: true } : {}),
            ...(properties.subscribe === undefined ? {} : { properties: properties.subscribe }),
          })
          .catch((error: unknown) => {
            if (!SubscribeError.isInstance(error)) throw error;
            const granted = error.outcomes.filter((o) => o.reasonCode < 0x80);
            if (granted.length === 0) throw new Error('all subscription requests were denied');
            this.#warn(error.message);
            return { granted: error.outcomes };
          });
        this.#debug.received('SUBACK');
        this.#debug.line(`Subscribed: ${result.granted.map((o) => o.reasonCode).join(', ')}`);
      }
      if (args.unsubscribe.length > 0) {
        this.#debug.sending(`UNSUBSCRIBE (${args.unsubscribe.join(', ')})`);
        await this.#client.unsubscribe(args.unsubscribe, {
          ...(properties.unsubscribe === undefined ? {} : { properties: properties.unsubscribe }),
        });
        this.#debug.received('UNSUBACK');
      }
      if (args.exitAfterSubscribe) this.#finish(ExitCode.Ok);
    } catch (error) {
      if (this.#done) return;
      this.#error(describeError(error));
      this.#finish(ExitCode.Error);
    }
  }

  #onMessage(message: MqttMessage): void {
    if (this.#done) return;
    const args = this.#args;
    this.#debug.received(describePublish({ ...message, bytes: message.payload.byteLength }));
    if (message.qos === 1 && message.packetId !== undefined)
      this.#debug.sending(`PUBACK (m${message.packetId}, rc0)`);
    if (message.qos === 2 && message.packetId !== undefined)
      this.#debug.sending(`PUBREC (m${message.packetId}, rc0)`);
    if (args.filterOut.some((filter) => topicMatches(filter, message.topic))) return;
    if (args.removeRetained && message.retain) {
      this.#client.publish(message.topic, new Uint8Array(0), { qos: 1, retain: true }).catch(() => {});
    }
    if (args.retainedOnly && !message.retain) {
      this.#finish(ExitCode.Ok);
      return;
    }
    if (args.noStale && message.retain) return;
    const view = { ...message, receivedAt: preciseNow() };
    const bytes = renderMessage(view, args.output, (reason) => this.#error(reason));
    if (bytes !== undefined) this.#sink.write(bytes);
    this.#printed++;
    if (args.count !== undefined && this.#printed >= args.count) this.#finish(ExitCode.Ok);
  }

  #warn(message: string): void {
    if (!this.#args.connection.quiet) process.stderr.write(`${programName(COMMAND)}: ${message}\n`);
  }

  #error(message: string): void {
    process.stderr.write(`${programName(COMMAND)}: ${message}\n`);
  }
}

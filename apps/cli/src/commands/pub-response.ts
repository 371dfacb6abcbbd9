/**
 * `mqttkit pub -e TOPIC`: mosquitto_rr's request/response. Subscribes to the response topic, publishes
 * the request with Response Topic and Correlation Data (v5), prints the first response that carries the
 * same Correlation Data (or any message on the topic when the responder drops it), then exits.
 */
import { randomBytes } from 'node:crypto';
import type { MqttClient, MqttMessage } from '@mqttkit/client';
import type { PubArgs } from '../args/pub-args.js';
import { ExitCode, programName } from '../cli-error.js';
import { describeError } from '../connect-client.js';
import { type DebugLog, describePublish } from '../output/debug-log.js';
import { renderMessage } from '../output/message-printer.js';
import { preciseNow } from '../output/message-view.js';
import type { OutputSink } from '../output/output-sink.js';

/** mosquitto_rr waits this long without -W. */
const DEFAULT_TIMEOUT_MS = 60_000;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(a, b) === 0;
}

/** Sends the request and prints the response; resolves with the exit code (27 on timeout). */
export async function awaitResponse(
  args: PubArgs,
  client: MqttClient,
  payload: Uint8Array,
  sink: OutputSink,
  debug: DebugLog,
): Promise<number> {
  const responseTopic = args.responseTopic!;
  const given = args.connection.properties.publish;
  const correlationData = given?.correlationData ?? new Uint8Array(randomBytes(16));
  const timeoutMs = args.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let onMessage: ((message: MqttMessage) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const response = new Promise<MqttMessage | undefined>((resolve) => {
    onMessage = (message) => {
      if (message.topic !== responseTopic) return;
      const echoed = message.properties?.correlationData;
      if (echoed === undefined || sameBytes(echoed, correlationData)) resolve(message);
    };
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  client.on('message', onMessage!);
  try {
    debug.sending(`SUBSCRIBE (Topic: ${responseTopic}, QoS: ${args.qos})`);
    await client.subscribe(responseTopic, { qos: args.qos });
    debug.received('SUBACK');
    debug.sending(
      describePublish({ topic: args.topic, qos: args.qos, retain: args.retain, bytes: payload.byteLength }),
    );
    await client.publish(args.topic, payload, {
      qos: args.qos,
      retain: args.retain,
      properties: { ...given, responseTopic, correlationData },
    });
    const message = await response;
    if (message === undefined) {
      if (!args.connection.quiet)
        process.stderr.write(`${programName('pub')}: timed out waiting for a response\n`);
      return ExitCode.Timeout;
    }
    const bytes = renderMessage({ ...message, receivedAt: preciseNow() }, args.output, (reason) =>
      process.stderr.write(`${programName('pub')}: ${reason}\n`),
    );
    if (bytes !== undefined) sink.write(bytes);
    return ExitCode.Ok;
  } catch (error) {
    process.stderr.write(`${programName('pub')}: ${describeError(error)}\n`);
    return ExitCode.Error;
  } finally {
    clearTimeout(timer);
    client.off('message', onMessage!);
  }
}

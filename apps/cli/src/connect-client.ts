/**
 * Connects `mqttkit pub`/`sub` with their settings and turns connection failures into exit codes the
 * way mosquitto_pub/sub do: a refused CONNECT exits with the CONNACK code (the 3.x return code, or the
 * v5 reason code), anything else with 1.
 */
import { ConnectionRefusedError, connect, type MqttClient } from '@mqttkit/client';
import type { ConnectionSettings } from './args/connection-args.js';
import { CliError, programName } from './cli-error.js';
import type { DebugLog } from './output/debug-log.js';

/** Connects, logging CONNECT/CONNACK on `debug`; throws a `CliError` with the right exit code. */
export async function connectClient(
  command: string,
  settings: ConnectionSettings,
  debug: DebugLog,
  extra: { reconnect: boolean },
): Promise<MqttClient> {
  debug.sending('CONNECT');
  try {
    const client = await connect(settings.url, {
      ...settings.options,
      // mosquitto_pub gives up when the connection drops; mosquitto_sub reconnects.
      ...(extra.reconnect ? {} : { reconnect: false }),
    });
    debug.clientId = client.clientId;
    debug.received(`CONNACK (${client.connack?.reasonCode ?? 0})`);
    return client;
  } catch (error) {
    if (ConnectionRefusedError.isInstance(error)) {
      debug.received(`CONNACK (${error.returnCode ?? error.reasonCode})`);
      throw new CliError(`${programName(command)}: ${error.message}`, {
        exitCode: error.returnCode ?? error.reasonCode,
        cause: error,
      });
    }
    throw new CliError(
      `${programName(command)}: cannot connect to ${settings.url}: ${describeError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** An error's message without its stack; `String(error)` for non-errors. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Shared by the transport tests: a capturing logger, small waits, and MQTT.js over WebSocket.
 * Certificates come from `@mqttkit/testkit`'s `createTestPki`.
 */
import { type IClientOptions, MqttClient } from 'mqtt';
import WebSocket, { createWebSocketStream } from 'ws';
import type { Logger } from '../src/index.js';

/** One logged entry. */
export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps what it is given, for asserting that something was logged (and nothing crashed). */
export function capturingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (fields: object, message: string): void => {
      entries.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Polls `check` until it holds, failing with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Rejects after `ms` with a message naming `what`; resolves with `promise` otherwise. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * MQTT.js over WebSocket, with the WebSocket opened by this file's `ws` import. MQTT.js's own ws
 * transport does `require('ws')`, which under the shared vitest config resolves to ws's ESM wrapper
 * (vitest passes `--conditions import` to Node), whose default export lacks `createWebSocketStream`.
 * This builds the stream exactly as MQTT.js's `connect/ws.js` does: `createWebSocketStream(new
 * WebSocket(url, [subprotocol]))`, `mqttv3.1` for MQTT 3.1 and `mqtt` otherwise.
 */
export function connectMqttOverWebSocket(
  url: string,
  options: IClientOptions,
  wsOptions: WebSocket.ClientOptions = {},
): Promise<MqttClient> {
  const subprotocol = options.protocolVersion === 3 && options.protocolId === 'MQIsdp' ? 'mqttv3.1' : 'mqtt';
  const client = new MqttClient(
    () => {
      const socket = new WebSocket(url, [subprotocol], wsOptions);
      const stream = createWebSocketStream(socket);
      socket.on('close', () => stream.destroy());
      return stream;
    },
    { reconnectPeriod: 0, connectTimeout: 5000, ...options },
  );
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once('error', onError);
    client.once('connect', () => {
      client.off('error', onError);
      resolve(client);
    });
  });
}

/**
 * `@mqttkit/client` for Node.js: MQTT 3.1 / 3.1.1 / 5.0 over `mqtt://`, `mqtts://`, `ws://` and `wss://`.
 *
 * ```ts
 * import { connect } from '@mqttkit/client';
 * const client = await connect('mqtt://localhost:1883');
 * await client.subscribe('sensors/+', { qos: 1 });
 * for await (const msg of client.messages('sensors/+')) console.log(msg.topic);
 * ```
 */
import type { MqttClient } from './client.js';
import { connectWith } from './connect.js';
import type { ConnectOptions } from './options.js';
import { openTcp } from './transports/tcp.js';
import { openTls } from './transports/tls.js';
import type { TransportOpener, TransportTarget } from './transports/transport.js';
import { openWsNode } from './transports/ws-node.js';

export * from './api.js';

const NODE_TRANSPORTS: Readonly<Record<TransportTarget['protocol'], TransportOpener>> = {
  mqtt: openTcp,
  mqtts: openTls,
  ws: openWsNode,
  wss: openWsNode,
};

/**
 * Connects to the broker at `url` and resolves once it accepted the connection. Rejects with
 * `ConnectionRefusedError` (or `NotAuthorizedError`), `NetworkError` or `TimeoutError`; the client does
 * not retry a first connection that fails. After that, it reconnects by itself (see `reconnect`).
 */
export function connect(url: string, options?: ConnectOptions): Promise<MqttClient> {
  return connectWith((protocol) => NODE_TRANSPORTS[protocol], url, options);
}

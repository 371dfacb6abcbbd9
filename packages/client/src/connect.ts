import { MqttClient, START } from './client.js';
import { type ConnectOptions, resolveOptions } from './options.js';
import type { TransportOpener, TransportTarget } from './transports/transport.js';

/** Picks the transport for a URL scheme; throws TypeError for a scheme this entry cannot serve. */
export type TransportSelector = (protocol: TransportTarget['protocol']) => TransportOpener;

/**
 * Connects with the transports `select` provides (the Node and browser entries each pass theirs) and
 * resolves once the server accepted the connection; rejects with the reason otherwise
 * (`ConnectionRefusedError`, `NotAuthorizedError`, `NetworkError`, `TimeoutError`).
 */
export async function connectWith(
  select: TransportSelector,
  url: string,
  options?: ConnectOptions,
): Promise<MqttClient> {
  const resolved = resolveOptions(url, options);
  const client = new MqttClient(resolved, select(resolved.target.protocol));
  await client[START]();
  return client;
}

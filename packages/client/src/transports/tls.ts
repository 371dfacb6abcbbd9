import { isIP } from 'node:net';
import { type ConnectionOptions, connect } from 'node:tls';
import { streamTransport, whenReady } from './node-stream.js';
import type { TlsOptions, TransportOpener } from './transport.js';

/** Node `tls.connect` options from the client's TLS options; SNI defaults to the host when it is a name. */
export function nodeTlsOptions(host: string, tls: TlsOptions | undefined): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls?.ca !== undefined) options.ca = tls.ca as ConnectionOptions['ca'];
  if (tls?.cert !== undefined) options.cert = tls.cert as ConnectionOptions['cert'];
  if (tls?.key !== undefined) options.key = tls.key as ConnectionOptions['key'];
  if (tls?.passphrase !== undefined) options.passphrase = tls.passphrase;
  if (tls?.rejectUnauthorized !== undefined) options.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls?.checkServerName === false) options.checkServerIdentity = acceptAnyServerName;
  // SNI must not carry an IP address (RFC 6066 section 3).
  const servername = tls?.servername ?? (isIP(host) === 0 ? host : undefined);
  if (servername !== undefined) options.servername = servername;
  return options;
}

/** `mqtts://`: MQTT over TLS (default port 8883). */
export const openTls: TransportOpener = async (target, events, signal) => {
  const socket = connect({
    host: target.host,
    port: target.port,
    ...nodeTlsOptions(target.host, target.tls),
  });
  socket.setNoDelay(true);
  await whenReady(socket, 'secureConnect', signal, () => socket.destroy());
  return streamTransport(socket, events);
};

/** Accepts whatever name a chain-verified certificate carries (see `TlsOptions.checkServerName`). */
function acceptAnyServerName(): undefined {
  return undefined;
}

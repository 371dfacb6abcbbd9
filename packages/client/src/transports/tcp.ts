import { connect } from 'node:net';
import { streamTransport, whenReady } from './node-stream.js';
import type { TransportOpener } from './transport.js';

/** `mqtt://`: plain TCP (default port 1883). Nagle is off: the client already batches writes per tick. */
export const openTcp: TransportOpener = async (target, events, signal) => {
  const socket = connect({ host: target.host, port: target.port, noDelay: true });
  await whenReady(socket, 'connect', signal, () => socket.destroy());
  return streamTransport(socket, events);
};

/**
 * A do-almost-nothing MQTT peer for the benchmark, in its own process: it answers CONNECT with CONNACK,
 * acknowledges QoS 1/2 (PUBACK, PUBREC, PUBCOMP) and PINGREQ, and discards everything else, one write
 * per received chunk. With the broker's work out of the way, the rate measured is the client's own.
 * IPC: sends `{ port }` once listening; exits on `'stop'`.
 */
import { createServer } from 'node:net';

const server = createServer({ noDelay: true }, (socket) => {
  let buffer: Buffer = Buffer.alloc(0);
  let version = 4;
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    const out: Buffer[] = [];
    let offset = 0;
    for (;;) {
      // Fixed header: type byte, then the Remaining Length varint.
      if (offset + 2 > buffer.length) break;
      let length = 0;
      let multiplier = 1;
      let at = offset + 1;
      let complete = false;
      while (at < buffer.length && at < offset + 5) {
        const byte = buffer[at++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || at + length > buffer.length) break;
      const first = buffer[offset]!;
      const type = first >> 4;
      if (type === 1) {
        // CONNECT: the protocol level follows the protocol name.
        const nameLength = buffer.readUInt16BE(at);
        version = buffer[at + 2 + nameLength]!;
        out.push(Buffer.from(version === 5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]));
      } else if (type === 3) {
        const qos = (first >> 1) & 3;
        if (qos > 0) {
          const topicLength = buffer.readUInt16BE(at);
          const id = buffer.readUInt16BE(at + 2 + topicLength);
          out.push(Buffer.from([qos === 1 ? 0x40 : 0x50, 2, id >> 8, id & 0xff]));
        }
      } else if (type === 6) {
        out.push(Buffer.from([0x70, 2, buffer[at]!, buffer[at + 1]!]));
      } else if (type === 12) {
        out.push(Buffer.from([0xd0, 0]));
      } else if (type === 14) {
        socket.end();
      }
      offset = at + length;
    }
    buffer = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
    if (out.length > 0) socket.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
process.on('message', (message) => {
  if (message === 'stop') process.exit(0);
});

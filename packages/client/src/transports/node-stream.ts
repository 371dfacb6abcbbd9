import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { Transport, TransportEvents } from './transport.js';

/** Wraps an open Node duplex stream (socket, TLS socket, WebSocket stream) as a `Transport`. */
export function streamTransport(stream: Duplex, events: TransportEvents): Transport {
  let failure: Error | undefined;
  stream.on('data', (chunk: Uint8Array) => events.data(chunk));
  stream.on('drain', () => events.drain());
  // Keep the error for 'close', which always follows it; without a listener an error would crash the process.
  stream.on('error', (error: Error) => {
    failure ??= error;
  });
  stream.once('close', () => events.close(failure));
  return {
    write(chunks, totalBytes) {
      // One write per batch: a single frame as is, several joined (Buffer.concat draws on Node's pool).
      return stream.write(
        chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as Uint8Array[], totalBytes),
      );
    },
    end() {
      stream.end();
    },
    destroy() {
      stream.destroy();
    },
  };
}

/**
 * Waits for `ready` on `stream` (e.g. 'connect', 'secureConnect', 'open'), rejecting on 'error',
 * 'close' or an abort of `signal`; `destroy` is called when the attempt fails.
 */
export function whenReady(
  stream: EventEmitter,
  ready: string,
  signal: AbortSignal,
  destroy: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      stream.off(ready, onReady);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const fail = (error: Error) => {
      cleanup();
      destroy();
      reject(error);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => fail(error);
    const onClose = () => fail(new Error('the connection closed while opening'));
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) {
      onAbort();
      return;
    }
    stream.once(ready, onReady);
    stream.once('error', onError);
    stream.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

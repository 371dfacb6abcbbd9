import { concatChunks, type TransportOpener } from './transport.js';

/** The part of the WHATWG WebSocket this transport uses (declared here so no DOM or Node types are needed). */
interface BrowserWebSocket {
  binaryType: string;
  readonly bufferedAmount: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

type BrowserWebSocketConstructor = new (url: string, protocols?: string | string[]) => BrowserWebSocket;

/** Bytes buffered by the browser above which `write` asks the client to wait. */
const HIGH_WATER_MARK = 1024 * 1024;
/** How often a blocked writer checks whether the browser's buffer drained (WebSocket has no drain event). */
const DRAIN_POLL_MS = 10;

/**
 * `ws://` and `wss://` through the global WebSocket (browsers, Deno, Node 22+): subprotocol `mqtt`
 * [MQTT-6.0.0-3], binary frames [MQTT-6.0.0-1]. TLS settings and headers are the browser's business.
 */
export const openWsBrowser: TransportOpener = (target, events, signal) =>
  new Promise((resolve, reject) => {
    const WebSocketClass = (globalThis as { WebSocket?: BrowserWebSocketConstructor }).WebSocket;
    if (WebSocketClass === undefined) {
      reject(new Error('no global WebSocket in this environment'));
      return;
    }
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const socket = new WebSocketClass(`${target.protocol}://${host}:${target.port}${target.path}`, 'mqtt');
    socket.binaryType = 'arraybuffer';
    let open = false;
    let drainTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      socket.close();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.onerror = () => {
      // The browser gives no detail on purpose; the close event that follows ends the attempt.
    };
    socket.onclose = (event) => {
      signal.removeEventListener('abort', onAbort);
      if (drainTimer !== undefined) clearTimeout(drainTimer);
      const error = event.wasClean
        ? undefined
        : new Error(`WebSocket closed with code ${event.code} ${event.reason}`.trim());
      if (open) events.close(error);
      else reject(error ?? new Error('WebSocket closed while opening'));
    };
    socket.onmessage = (event) => {
      if (event.data instanceof ArrayBuffer) events.data(new Uint8Array(event.data));
    };
    socket.onopen = () => {
      open = true;
      signal.removeEventListener('abort', onAbort);
      const pollDrain = () => {
        drainTimer = undefined;
        if (socket.bufferedAmount < HIGH_WATER_MARK / 2) events.drain();
        else drainTimer = setTimeout(pollDrain, DRAIN_POLL_MS);
      };
      resolve({
        write(chunks, totalBytes) {
          socket.send(concatChunks(chunks, totalBytes));
          if (socket.bufferedAmount < HIGH_WATER_MARK) return true;
          drainTimer ??= setTimeout(pollDrain, DRAIN_POLL_MS);
          return false;
        },
        end() {
          socket.close(1000);
        },
        destroy() {
          socket.close();
        },
      });
    };
  });

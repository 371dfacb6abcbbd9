/**
 * `@mqttkit/client` for browsers: MQTT over `ws://` and `wss://` through the global WebSocket. This
 * entry imports no Node built-in (checked by a bundle test and by `tsconfig.browser.json`).
 */
import type { MqttClient } from './client.js';
import { connectWith } from './connect.js';
import type { ConnectOptions } from './options.js';
import { openWsBrowser } from './transports/ws-browser.js';

export * from './api.js';

/**
 * Connects to the broker at a `ws://` or `wss://` URL and resolves once it accepted the connection.
 * Rejects with `ConnectionRefusedError` (or `NotAuthorizedError`), `NetworkError` or `TimeoutError`.
 */
export function connect(url: string, options?: ConnectOptions): Promise<MqttClient> {
  return connectWith(
    (protocol) => {
      if (protocol !== 'ws' && protocol !== 'wss') {
        throw new TypeError(`browsers can only use ws:// and wss:// (got ${protocol}://)`);
      }
      return openWsBrowser;
    },
    url,
    options,
  );
}

/**
 * The operations HTTP endpoint: `GET /metrics` (Prometheus text format) and `GET /health` (200
 * `{"status":"ok"}` while the broker runs, 503 `{"status":"shutting down"}` once it is stopping).
 * Off unless `metrics.port` is set; binds 127.0.0.1 by default, since metrics tell a lot about a
 * deployment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of `createOpsServer`. */
export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** True while the broker accepts clients. */
  isHealthy(): boolean;
}

/** The HTTP endpoint, not yet listening. */
export interface OpsServer {
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting and closes idle keep-alive connections; resolves once closed. */
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  response.end(head ? undefined : body);
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Creates the metrics and health endpoint. */
export function createOpsServer(options: OpsServerOptions): OpsServer {
  const { registry } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?')[0];
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      send(response, 405, TEXT_TYPE, 'method not allowed\n', false);
      return;
    }
    if (path === '/health') {
      const healthy = options.isHealthy();
      send(
        response,
        healthy ? 200 : 503,
        JSON_TYPE,
        JSON.stringify({ status: healthy ? 'ok' : 'shutting down' }),
        head,
      );
      return;
    }
    if (path === '/metrics') {
      send(response, 200, registry.contentType, await registry.metrics(), head);
      return;
    }
    send(response, 404, TEXT_TYPE, 'not found; try /metrics or /health\n', head);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, TEXT_TYPE, `${String(error)}\n`, false);
      else response.destroy();
    });
  });
  // Scrapers keep connections alive; they must not hold the process open at shutdown.
  server.keepAliveTimeout = 5000;
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, options.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve({ host: address.address, port: address.port });
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

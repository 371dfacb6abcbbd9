/**
 * The control channel of a Node broker under test (plain JavaScript, so the broker process runs
 * with no loader): read the broker's options from BENCH_BROKER_OPTIONS and its listener from
 * BENCH_LISTENER, report the bound port, run a full GC on request (the process runs with
 * --expose-gc) and answer with the heap figures and exit when the bench process goes away.
 */
import { readFileSync } from 'node:fs';

/** @returns {Record<string, unknown>} */
export function brokerOptions() {
  return JSON.parse(process.env.BENCH_BROKER_OPTIONS ?? '{}');
}

/**
 * How to listen (bench/lib/settings.ts, `NodeListener`): `{ transport: 'tcp' }`, `{ transport: 'ws',
 * path }` or `{ transport: 'tls', keyFile, certFile, minVersion, maxVersion, ciphers }`.
 * @returns {{ transport: 'tcp' | 'tls' | 'ws', path?: string, keyFile?: string, certFile?: string, minVersion?: string, maxVersion?: string, ciphers?: string }}
 */
export function listenerSpec() {
  return JSON.parse(process.env.BENCH_LISTENER ?? '{"transport":"tcp"}');
}

/**
 * The TLS server options of a `tls` listener spec: key and certificate read from their files, the
 * pinned version range and suite. Both Node brokers get exactly these.
 * @param {ReturnType<typeof listenerSpec>} spec
 */
export function tlsServerOptions(spec) {
  return {
    key: readFileSync(spec.keyFile ?? ''),
    cert: readFileSync(spec.certFile ?? ''),
    minVersion: spec.minVersion,
    maxVersion: spec.maxVersion,
    ciphers: spec.ciphers,
  };
}

/** @param {number} port */
export function serveControl(port) {
  process.on('message', (message) => {
    if (message?.type === 'gc') {
      // Twice: the first pass may only promote what the second can free.
      globalThis.gc?.();
      globalThis.gc?.();
      const { heapUsed, external, arrayBuffers } = process.memoryUsage();
      process.send?.({ type: 'gc-done', heapUsed, external, arrayBuffers });
    }
  });
  // If the bench process dies, do not linger as an orphan holding the port.
  process.on('disconnect', () => process.exit(0));
  // The bench stops a broker with SIGTERM: exit normally, so that --cpu-prof and the like write their output.
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ type: 'ready', port });
}

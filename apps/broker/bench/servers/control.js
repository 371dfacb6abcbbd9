/**
 * The control channel of a Node broker under test (plain JavaScript, so the broker process runs
 * with no loader): read the broker's options from BENCH_BROKER_OPTIONS, report the bound port, run
 * a full GC on request (the process runs with --expose-gc) and answer with the heap figures and exit when the bench process goes away.
 */

/** @returns {Record<string, unknown>} */
export function brokerOptions() {
  return JSON.parse(process.env.BENCH_BROKER_OPTIONS ?? '{}');
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
  process.send?.({ type: 'ready', port });
}

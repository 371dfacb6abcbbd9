/**
 * `mqttkit bench conn`: opens `-c` connections at `-R` per second, holds them for `--duration`
 * seconds after the last one connected, and reports connect latency (TCP connect to CONNACK).
 */
import type { BenchClient } from './bench-client.js';
import { type BenchRole, connectLiveLine } from './bench-run.js';
import type { Connector } from './connector.js';

/** The conn role: nothing to send beyond CONNECT and keepalive pings. */
export class ConnRole implements BenchRole {
  #connector: Connector | undefined;
  #firstAttempt = 0;
  #allConnectedAt = 0;
  durationStart: Promise<void> = Promise.resolve();
  /** Without --duration, the run ends once every client has connected or failed. */
  finished: Promise<void> = new Promise(() => {});
  readonly #holdForDuration: boolean;

  /** A conn role; with `holdForDuration` the connections stay open for `--duration`. */
  constructor(holdForDuration: boolean) {
    this.#holdForDuration = holdForDuration;
  }

  attach(connector: Connector): void {
    this.#connector = connector;
    this.#firstAttempt = performance.now();
    const settled = connector.allSettled.then(() => {
      this.#allConnectedAt = performance.now();
    });
    this.durationStart = settled;
    if (!this.#holdForDuration) this.finished = settled;
  }

  connected(_client: BenchClient): void {}

  frame(): void {}

  lost(): void {}

  liveLine(): string {
    return this.#connector === undefined ? '' : connectLiveLine(this.#connector);
  }

  async stop(): Promise<void> {}

  summary() {
    const end = this.#allConnectedAt === 0 ? performance.now() : this.#allConnectedAt;
    return { durationSeconds: Math.round((end - this.#firstAttempt) / 10) / 100 };
  }
}

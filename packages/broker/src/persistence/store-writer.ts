import type { SessionStore, StoreOp } from '@mqttkit/session-store';
import { isPromise } from '../hooks/hook-registry.js';
import type { Logger } from '../logger.js';

/**
 * Collects the store changes of one event-loop turn and applies them as one batch (group commit,
 * design decision 6). For a durable store, `afterCommit` lets the broker hold back PUBACK/PUBREC until
 * the batch holding the message is committed; for a non-durable one there is nothing to wait for.
 */
export class StoreWriter {
  private ops: StoreOp[] = [];
  private flushScheduled = false;
  /** Resolves when everything applied so far is committed; chained so batches commit in order. */
  private tail: Promise<boolean> = Promise.resolve(true);
  private waiters: ((committed: boolean) => void)[] = [];
  /** Batches handed to the store and not yet settled. */
  private inFlight = 0;

  private readonly store: SessionStore;
  private readonly logger: Logger;

  constructor(store: SessionStore, logger: Logger) {
    this.store = store;
    this.logger = logger;
  }

  /** True when acknowledgements must wait for the store. */
  get durable(): boolean {
    return this.store.durable;
  }

  /** Queue one change for this turn's batch. */
  push(op: StoreOp): void {
    this.ops.push(op);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  /**
   * For a durable store with changes not yet committed: a promise of whether they committed.
   * Undefined when there is nothing to wait for, so the caller acknowledges at once.
   */
  afterCommit(): Promise<boolean> | undefined {
    if (!this.store.durable) return undefined;
    if (this.ops.length === 0 && this.waiters.length === 0 && !this.inFlight) return undefined;
    return new Promise<boolean>((resolve) => {
      if (this.ops.length > 0) this.waiters.push(resolve);
      else void this.tail.then(resolve);
    });
  }

  /** Apply this turn's batch now (also called at shutdown). */
  readonly flush = (): Promise<boolean> => {
    this.flushScheduled = false;
    const ops = this.ops;
    const waiters = this.waiters;
    if (ops.length === 0) {
      for (const resolve of waiters) void this.tail.then(resolve);
      this.waiters = [];
      return this.tail;
    }
    this.ops = [];
    this.waiters = [];
    this.inFlight++;
    const previous = this.tail;
    const committed = previous.then(
      () => this.applyBatch(ops),
      () => this.applyBatch(ops),
    );
    this.tail = committed;
    void committed.then((ok) => {
      this.inFlight--;
      for (const resolve of waiters) resolve(ok);
    });
    return committed;
  };

  private applyBatch(ops: readonly StoreOp[]): boolean | Promise<boolean> {
    try {
      const result = this.store.apply(ops);
      if (!isPromise(result)) return true;
      return result.then(
        () => true,
        (error: unknown) => this.failed(error, ops.length),
      );
    } catch (error) {
      return this.failed(error, ops.length);
    }
  }

  private failed(error: unknown, count: number): false {
    this.logger.error({ err: error, ops: count }, 'session store rejected a batch');
    return false;
  }
}

/**
 * The conformance suite every `SessionStore` backend runs (style guide R9): it pins the whole contract
 * of `session-store.ts` and `store-op.ts`, so the broker can treat every backend alike.
 */
import { afterEach, beforeEach, describe } from 'vitest';
import type { MaybePromise, SessionStore } from '../session-store.js';
import { describeBrokerBugs } from './broker-bugs.js';
import { describeDurability } from './durability.js';
import { describeFidelity } from './fidelity.js';
import type { ConformanceContext } from './fixtures.js';
import { describeMessages } from './messages.js';
import { describeOrdering } from './ordering.js';
import { describeOutbound } from './outbound.js';
import { describeRetainedAndWills } from './retained-and-wills.js';
import { describeSessions } from './sessions.js';
import { describeSubscriptions } from './subscriptions.js';

/** What the suite needs to know about a backend beyond creating it. */
export type SessionStoreConformanceOptions =
  /** A store whose data dies with it (`durable: false`), like `MemoryStore`. */
  | { durable?: false }
  /**
   * A durable store. `reopen` closes `store` and opens a new one on the same data: the suite checks
   * that everything applied survives it and that a rejected batch leaves nothing behind.
   */
  | { durable: true; reopen: (store: SessionStore) => MaybePromise<SessionStore> };

/**
 * Register the conformance tests for a backend under `describe(name)`. `createStore` is called once per
 * test and must return an empty store; the suite closes it after the test.
 *
 * @example
 * describeSessionStoreConformance('SqliteStore', () => new SqliteStore(':memory:'));
 */
export function describeSessionStoreConformance(
  name: string,
  createStore: () => MaybePromise<SessionStore>,
  options: SessionStoreConformanceOptions = {},
): void {
  const reopen = options.durable === true ? options.reopen : undefined;
  let current: SessionStore | undefined;

  const ctx: ConformanceContext = {
    get store(): SessionStore {
      if (current === undefined) throw new Error('the conformance store is only available inside a test');
      return current;
    },
    async reopen(): Promise<void> {
      if (reopen === undefined) throw new Error(`${name} gave no reopen option`);
      const closing = ctx.store;
      current = undefined;
      current = await reopen(closing);
    },
    durable: options.durable === true,
  };

  describe(name, () => {
    beforeEach(async () => {
      current = await createStore();
    });

    afterEach(async () => {
      const store = current;
      current = undefined;
      await store?.close();
    });

    describeSessions(ctx);
    describeSubscriptions(ctx);
    describeMessages(ctx);
    describeOutbound(ctx);
    describeRetainedAndWills(ctx);
    describeOrdering(ctx);
    describeFidelity(ctx);
    describeBrokerBugs(ctx);
    describeDurability(ctx);
  });
}

/** How the client retries after a lost connection (`reconnect: false` turns retrying off). */
export interface ReconnectOptions {
  /** The base delay before the first retry, in ms. Default 1000. */
  initialDelayMs?: number;
  /** The cap on any delay, in ms. Default 30000. */
  maxDelayMs?: number;
  /** The growth of the base delay per failed attempt. Default 2. */
  factor?: number;
  /**
   * How randomness spreads clients out: `full` waits a uniform random time between 0 and the base
   * delay, `equal` between half of it and all of it, `none` exactly the base delay. Default `full`:
   * after a broker restart, thousands of clients must not come back in lockstep.
   */
  jitter?: 'full' | 'equal' | 'none';
  /** Attempts before giving up (the client then closes with an 'error' and 'close'). Default: no limit. */
  maxAttempts?: number;
}

/** Reconnect options with every default applied. */
export type ResolvedReconnectOptions = Required<ReconnectOptions>;

/** The defaults of `ReconnectOptions`. */
export const DEFAULT_RECONNECT: Readonly<ResolvedReconnectOptions> = Object.freeze({
  initialDelayMs: 1000,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 'full',
  maxAttempts: Number.POSITIVE_INFINITY,
});

/** Fills in the defaults and checks the values; throws TypeError/RangeError for bad ones. */
export function resolveReconnect(options: ReconnectOptions | undefined): ResolvedReconnectOptions {
  const resolved = { ...DEFAULT_RECONNECT, ...options };
  for (const key of ['initialDelayMs', 'maxDelayMs', 'factor', 'maxAttempts'] as const) {
    const value = resolved[key];
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`reconnect.${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  if (resolved.factor < 1)
    throw new RangeError(`reconnect.factor must be at least 1, got ${resolved.factor}`);
  if (!['full', 'equal', 'none'].includes(resolved.jitter)) {
    throw new TypeError(`reconnect.jitter must be 'full', 'equal' or 'none', got ${String(resolved.jitter)}`);
  }
  return resolved;
}

/**
 * Exponential backoff with jitter, free of timers: `next()` gives the delay before the next attempt
 * (base = min(maxDelayMs, initialDelayMs × factor^attempt), then jittered); `reset()` after a
 * successful connection starts over.
 */
export class Backoff {
  readonly #options: ResolvedReconnectOptions;
  readonly #random: () => number;
  #attempt = 0;

  /** `random` returns a number in [0, 1); injectable so tests are deterministic. */
  constructor(options: ResolvedReconnectOptions, random: () => number = Math.random) {
    this.#options = options;
    this.#random = random;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** True once `maxAttempts` delays have been handed out. */
  get isExhausted(): boolean {
    return this.#attempt >= this.#options.maxAttempts;
  }

  /** The delay in ms before the next attempt; counts the attempt. */
  next(): number {
    const { initialDelayMs, maxDelayMs, factor, jitter } = this.#options;
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** this.#attempt);
    this.#attempt++;
    switch (jitter) {
      case 'none':
        return Math.round(base);
      case 'equal':
        return Math.round(base / 2 + (this.#random() * base) / 2);
      default:
        return Math.round(this.#random() * base);
    }
  }

  /** Starts over from `initialDelayMs`. */
  reset(): void {
    this.#attempt = 0;
  }
}

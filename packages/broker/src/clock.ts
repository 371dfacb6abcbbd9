/** Wall-clock time in ms; injected so tests can drive expiry and keepalive with fake time (R6, R12). */
export interface Clock {
  now(): number;
}

/** `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Longest delay `setTimeout` takes (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A cancellable one-shot timer. */
export interface Timer {
  cancel(): void;
}

/**
 * Run `fn` once the clock reaches `at` (wall-clock ms), however far away: session expiry can be
 * 136 years, beyond what one `setTimeout` can wait. The timer does not keep the process alive.
 */
export function scheduleAt(clock: Clock, at: number, fn: () => void): Timer {
  let handle: ReturnType<typeof setTimeout>;
  const arm = (): void => {
    const delay = at - clock.now();
    if (delay <= 0) {
      fn();
      return;
    }
    handle = setTimeout(arm, Math.min(delay, MAX_TIMEOUT_MS));
    handle.unref?.();
  };
  handle = setTimeout(arm, Math.min(Math.max(0, at - clock.now()), MAX_TIMEOUT_MS));
  handle.unref?.();
  return { cancel: () => clearTimeout(handle) };
}

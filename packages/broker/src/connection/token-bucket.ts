/**
 * A token bucket for rate limits: `ratePerSecond` tokens flow in continuously, up to one second's worth
 * (the burst). Taking more than there are leaves a debt; the caller waits it out instead of dropping
 * anything, so a limit slows a client down and never loses its data.
 */
export class TokenBucket {
  private readonly ratePerMs: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(ratePerSecond: number, now: number) {
    this.ratePerMs = ratePerSecond / 1000;
    this.burst = ratePerSecond;
    this.tokens = ratePerSecond;
    this.last = now;
  }

  /** Take `count` tokens at `now`; returns the ms to wait before going on (0 when within the rate). */
  take(count: number, now: number): number {
    const refilled = this.tokens + (now - this.last) * this.ratePerMs;
    this.tokens = (refilled > this.burst ? this.burst : refilled) - count;
    this.last = now;
    return this.tokens >= 0 ? 0 : Math.ceil(-this.tokens / this.ratePerMs);
  }
}

/** The per-client rate limits in force on one connection, and its throttle timer. */
export class ClientRateLimits {
  readonly publish: TokenBucket | undefined;
  readonly bytes: TokenBucket | undefined;
  throttleTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  private constructor(publish: TokenBucket | undefined, bytes: TokenBucket | undefined) {
    this.publish = publish;
    this.bytes = bytes;
  }

  /** The limits `limits` sets, or undefined when neither is configured (the default). */
  static from(
    limits: { readonly maximumPublishRate: number; readonly maximumInboundBytesRate: number },
    now: number,
  ): ClientRateLimits | undefined {
    const { maximumPublishRate: messages, maximumInboundBytesRate: bytes } = limits;
    if (messages <= 0 && bytes <= 0) return undefined;
    return new ClientRateLimits(
      messages > 0 ? new TokenBucket(messages, now) : undefined,
      bytes > 0 ? new TokenBucket(bytes, now) : undefined,
    );
  }
}

import type { Logger } from '../logger.js';
import type {
  AuthenticateEvent,
  AuthenticateResult,
  AuthorizePublishEvent,
  AuthorizeSubscribeEvent,
  Decision,
  EnhancedAuthEvent,
  EnhancedAuthResult,
  Hook,
  MaybePromise,
} from './hook.js';

type NotificationName =
  | 'onConnected'
  | 'onDisconnected'
  | 'onSubscribed'
  | 'onUnsubscribed'
  | 'onPublished'
  | 'onMessageDropped'
  | 'onSessionExpired';

type NotificationEvent<N extends NotificationName> = Parameters<NonNullable<Hook[N]>>[0];

/**
 * Hooks sorted by the methods they implement, computed once per `use` (Mosquitto's per-event lists),
 * so dispatch never asks each hook what it provides.
 */
export class HookRegistry {
  private readonly hooks: Hook[] = [];
  private readonly byMethod = new Map<keyof Hook, Hook[]>();

  private readonly logger: Logger;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  /** Add a hook after the ones already registered. */
  use(hook: Hook): void {
    if (this.hooks.some((existing) => existing.id === hook.id)) {
      throw new TypeError(`a hook with id "${hook.id}" is already registered`);
    }
    this.hooks.push(hook);
    this.byMethod.clear();
  }

  /** True when some hook implements `method`; the broker skips building events nobody reads. */
  has(method: keyof Hook): boolean {
    return this.implementing(method).length > 0;
  }

  authenticate(event: AuthenticateEvent): MaybePromise<AuthenticateResult> {
    return this.decide('authenticate', event);
  }

  authorizePublish(event: AuthorizePublishEvent): MaybePromise<Decision> {
    return this.decide('authorizePublish', event) as MaybePromise<Decision>;
  }

  authorizeSubscribe(event: AuthorizeSubscribeEvent): MaybePromise<Decision> {
    return this.decide('authorizeSubscribe', event) as MaybePromise<Decision>;
  }

  /** Run the enhanced-auth chain: the first hook that does not defer answers; all defer → undefined. */
  authenticateEnhanced(event: EnhancedAuthEvent): MaybePromise<EnhancedAuthResult> {
    return this.decide('authenticateEnhanced', event, 'defer') as MaybePromise<EnhancedAuthResult>;
  }

  /** Call every hook implementing a notification; errors are logged, never passed on. */
  notify<N extends NotificationName>(name: N, event: NotificationEvent<N>): void {
    const hooks = this.implementing(name);
    for (let i = 0; i < hooks.length; i++) {
      const hook = hooks[i]!;
      try {
        const result: unknown = (hook[name] as (event: NotificationEvent<N>) => unknown).call(hook, event);
        // An async notification is not awaited, but its rejection must not become an unhandled one.
        if (isPromise(result))
          result.then(undefined, (error: unknown) => this.notificationFailed(hook, name, error));
      } catch (error) {
        this.notificationFailed(hook, name, error);
      }
    }
  }

  private notificationFailed(hook: Hook, name: NotificationName, error: unknown): void {
    this.logger.error({ hook: hook.id, event: name, err: error }, 'hook notification failed');
  }

  private implementing(method: keyof Hook): Hook[] {
    let hooks = this.byMethod.get(method);
    if (hooks === undefined) {
      hooks = this.hooks.filter((hook) => typeof hook[method] === 'function');
      this.byMethod.set(method, hooks);
    }
    return hooks;
  }

  /**
   * First non-defer answer wins; every hook deferring means `allDeferred` (deny for auth and ACL).
   * Stays synchronous until a hook returns a promise. A hook that throws or rejects denies: a broken
   * ACL must fail closed.
   */
  private decide<R>(
    method: 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authenticateEnhanced',
    event: unknown,
    allDeferred: R | 'deny' = 'deny',
  ): MaybePromise<R | 'allow' | 'deny'> {
    const hooks = this.implementing(method);
    if (hooks.length === 0) return method === 'authenticateEnhanced' ? (allDeferred as R) : 'allow';
    for (let i = 0; i < hooks.length; i++) {
      let answer: unknown;
      try {
        answer = (hooks[i]![method] as (event: unknown) => unknown).call(hooks[i], event);
      } catch (error) {
        return this.failClosed(hooks[i]!, method, error);
      }
      if (isPromise(answer))
        return this.decideAsync(method, hooks, i, answer, event, allDeferred) as Promise<R>;
      if (answer !== 'defer') return this.checked(hooks[i]!, method, answer) as R;
    }
    return allDeferred;
  }

  private async decideAsync<R>(
    method: 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authenticateEnhanced',
    hooks: readonly Hook[],
    start: number,
    pending: Promise<unknown>,
    event: unknown,
    allDeferred: R | 'deny',
  ): Promise<R | 'deny'> {
    for (let i = start; i < hooks.length; i++) {
      let answer: unknown;
      try {
        answer =
          i === start
            ? await pending
            : await (hooks[i]![method] as (event: unknown) => unknown).call(hooks[i], event);
      } catch (error) {
        return this.failClosed(hooks[i]!, method, error);
      }
      if (answer !== 'defer') return this.checked(hooks[i]!, method, answer) as R;
    }
    return allDeferred;
  }

  /** A hook's answer if it is a decision; anything else (null, a number, a typo) denies, logged. */
  private checked(hook: Hook, method: string, answer: unknown): unknown {
    if (answer === 'allow' || answer === 'deny') return answer;
    if (typeof answer === 'object' && answer !== null) {
      const decision = answer as { allow?: unknown; deny?: unknown; continue?: unknown };
      if (decision.allow === true || typeof decision.deny === 'number') return answer;
      if (decision.continue === true && method === 'authenticateEnhanced') return answer;
    }
    this.logger.error(
      { hook: hook.id, method, answer: String(answer) },
      'hook returned no decision; denying',
    );
    return 'deny';
  }

  private failClosed(hook: Hook, method: string, error: unknown): 'deny' {
    this.logger.error({ hook: hook.id, method, err: error }, 'hook decision failed; denying');
    return 'deny';
  }
}

/** True for a thenable; decisions that return plain values never reach `await`. */
export function isPromise(value: unknown): value is Promise<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

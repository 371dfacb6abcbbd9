/**
 * A tiny typed event emitter that runs in Node and browsers alike (no `node:events`). Each event maps
 * to the tuple of its listener's arguments.
 *
 * Why not EventEmitter semantics for 'error': emitting 'error' with no listener does nothing here
 * instead of throwing, because a client's errors (a failed reconnect, a refused resubscribe) are
 * reported, retried and also surfaced on the promises they concern; crashing the process for an
 * unobserved one is the MQTT.js behaviour users complain about.
 *
 * A listener that throws does not stop the others, and cannot leave the client half-way through a
 * packet: the error is re-thrown in a microtask, where it surfaces as an uncaught exception as it
 * would from any Node event listener.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  // Listener arrays are replaced, never mutated, so `emit` iterates without copying.
  #listeners: { [K in keyof Events]?: ((...args: Events[K]) => void)[] } = {};

  /** Adds `listener` for `event`. */
  on<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    this.#listeners[event] = [...(this.#listeners[event] ?? []), listener];
    return this;
  }

  /** Adds `listener` for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    const wrapper = (...args: Events[K]): void => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  /** Removes `listener` from `event` (the first registration of it). */
  off<K extends keyof Events>(event: K, listener: (...args: Events[K]) => void): this {
    const current = this.#listeners[event];
    if (current === undefined) return this;
    const index = current.indexOf(listener);
    if (index < 0) return this;
    const next = current.slice();
    next.splice(index, 1);
    this.#listeners[event] = next.length === 0 ? undefined : next;
    return this;
  }

  /** The number of listeners for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners[event]?.length ?? 0;
  }

  /** Calls every listener of `event` in order; returns false when there was none. */
  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const listeners = this.#listeners[event];
    if (listeners === undefined) return false;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    return true;
  }
}

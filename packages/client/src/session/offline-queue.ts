/**
 * A bounded first-in, first-out queue: messages published while offline or while the server's Receive
 * Maximum is used up wait here, in order. `push` refuses an item past the bound instead of dropping
 * anything (design decision 5: every queue bounded, with a stated policy when full).
 */
export class OfflineQueue<T> {
  /** The most items the queue holds. */
  readonly limit: number;
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Creates a queue that holds at most `limit` items. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends `item`; false (and nothing stored) when the queue is full. */
  push(item: T): boolean {
    if (this.length >= this.limit) return false;
    this.#items.push(item);
    return true;
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head >= items.length) return undefined;
    const item = items[this.#head];
    items[this.#head++] = undefined;
    // Compact once the consumed prefix dominates, so shifting stays O(1) amortised.
    if (this.#head === items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns every item, oldest first. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return all;
  }
}

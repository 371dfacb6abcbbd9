/**
 * Retained messages indexed by topic level (style guide R10): a new subscription's filter finds the
 * stored topics it matches by walking only the matching branches, never by scanning every topic.
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const PLUS = 0x2b;

// A stack position meaning "emit this node and its whole subtree" (the walk below a '#').
const SUBTREE = -1;

class RetainedNode<V> {
  readonly parent: RetainedNode<V> | undefined;
  readonly level: string;
  children: Map<string, RetainedNode<V>> | undefined;
  /** The topic stored at this node, or `undefined` when none is (V itself may be undefined). */
  topic: string | undefined;
  value: V | undefined;

  constructor(parent: RetainedNode<V> | undefined, level: string) {
    this.parent = parent;
    this.level = level;
    this.children = undefined;
    this.topic = undefined;
    this.value = undefined;
  }
}

/**
 * A map from Topic Name to a value of type `V` (the retained message) that also answers which stored
 * topics a Topic Filter matches. Topics and filters are assumed valid; nothing here throws on them.
 */
export class RetainedIndex<V> {
  readonly #root = new RetainedNode<V>(undefined, '');
  // Exact lookups skip the trie: a retained PUBLISH that replaces a value costs one hash lookup.
  readonly #byTopic = new Map<string, RetainedNode<V>>();

  /** The number of stored topics. */
  get size(): number {
    return this.#byTopic.size;
  }

  /** Stores `value` under `topic`, replacing any value there. */
  set(topic: string, value: V): void {
    const existing = this.#byTopic.get(topic);
    if (existing !== undefined) {
      existing.value = value;
      return;
    }
    let node: RetainedNode<V> = this.#root;
    const length = topic.length;
    let start = 0;
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end === -1) end = length;
      const level = topic.substring(start, end);
      let children: Map<string, RetainedNode<V>> | undefined = node.children;
      if (children === undefined) {
        children = new Map();
        node.children = children;
      }
      let child: RetainedNode<V> | undefined = children.get(level);
      if (child === undefined) {
        child = new RetainedNode<V>(node, level);
        children.set(level, child);
      }
      node = child;
      if (end === length) break;
      start = end + 1;
    }
    node.topic = topic;
    node.value = value;
    this.#byTopic.set(topic, node);
  }

  /** The value stored under exactly `topic`, or `undefined`. */
  get(topic: string): V | undefined {
    return this.#byTopic.get(topic)?.value;
  }

  /** True when a value is stored under exactly `topic`. */
  has(topic: string): boolean {
    return this.#byTopic.has(topic);
  }

  /** Removes the value under `topic` and prunes emptied nodes; false when there was none. */
  delete(topic: string): boolean {
    const node = this.#byTopic.get(topic);
    if (node === undefined) return false;
    this.#byTopic.delete(topic);
    node.topic = undefined;
    node.value = undefined;
    let current = node;
    let parent = current.parent;
    while (parent !== undefined && current.topic === undefined && current.children === undefined) {
      const siblings = parent.children!;
      siblings.delete(current.level);
      if (siblings.size === 0) parent.children = undefined;
      current = parent;
      parent = current.parent;
    }
    return true;
  }

  /** Removes everything. */
  clear(): void {
    this.#root.children = undefined;
    this.#byTopic.clear();
  }

  /**
   * Calls `callback(value, topic)` for every stored topic the filter matches, in no particular order.
   * Values deleted during the walk and not yet visited are skipped; values added may or may not be.
   */
  forEachMatch(filter: string, callback: (value: V, topic: string) => void): void {
    const length = filter.length;
    if (length === 0) return;
    const root = this.#root;
    // An explicit stack of (node, position of the next filter level): no recursion, so no filter
    // depth can overflow the call stack. Local, so a callback may start another walk.
    const nodes: RetainedNode<V>[] = [root];
    const positions: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const start = positions.pop()!;
      if (start === SUBTREE) {
        if (node.topic !== undefined) callback(node.value as V, node.topic);
        if (node.children !== undefined) {
          for (const child of node.children.values()) {
            nodes.push(child);
            positions.push(SUBTREE);
          }
        }
        continue;
      }
      if (start > length) {
        // Every filter level is consumed: the node's own topic matches.
        if (node.topic !== undefined) callback(node.value as V, node.topic);
        continue;
      }
      let end = filter.indexOf('/', start);
      if (end === -1) end = length;
      const code = end === start + 1 ? filter.charCodeAt(start) : 0;
      if (code === HASH) {
        // 4.7.1.2: '#' matches the parent level too, so "sport/#" matches "sport".
        if (node.topic !== undefined) callback(node.value as V, node.topic);
        this.#pushChildren(node, node === root, nodes, positions, SUBTREE);
      } else if (code === PLUS) {
        this.#pushChildren(node, node === root, nodes, positions, end + 1);
      } else {
        const child = node.children?.get(filter.substring(start, end));
        if (child !== undefined) {
          nodes.push(child);
          positions.push(end + 1);
        }
      }
    }
  }

  /** The values of every stored topic the filter matches, in a fresh array. */
  match(filter: string): V[] {
    const values: V[] = [];
    this.forEachMatch(filter, (value) => {
      values.push(value);
    });
    return values;
  }

  /** Every stored `[topic, value]` pair, in insertion order (for persistence and `$SYS` counts). */
  *entries(): IterableIterator<[string, V]> {
    for (const [topic, node] of this.#byTopic) yield [topic, node.value as V];
  }

  /** Same as `entries()`. */
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  #pushChildren(
    node: RetainedNode<V>,
    isRoot: boolean,
    nodes: RetainedNode<V>[],
    positions: number[],
    position: number,
  ): void {
    const children = node.children;
    if (children === undefined) return;
    for (const child of children.values()) {
      // [MQTT-4.7.2-1] A wildcard at the first level does not match topics starting with '$'.
      if (isRoot && child.level.charCodeAt(0) === DOLLAR) continue;
      nodes.push(child);
      positions.push(position);
    }
  }
}

/**
 * The trie under `SubscriptionIndex`: one node per filter level, `+` and `#` as the `plus` and `hash`
 * children. Walks are loops, never recursion, so no filter depth can overflow the stack.
 */

import { SubscriptionNode } from './subscription-node.js';

const HASH = 0x23;
const PLUS = 0x2b;

/** The filter trie: finds and creates the node of a filter, and prunes nodes that became empty. */
export class SubscriptionTrie<S> {
  readonly root = new SubscriptionNode<S>(undefined, '');
  /** Nodes below the root. */
  nodeCount = 0;

  /** The node for a filter (its non-shared part), walked level by level; created when `create`. */
  nodeFor(filter: string, create: boolean): SubscriptionNode<S> | undefined {
    let node = this.root;
    const length = filter.length;
    let start = 0;
    for (;;) {
      let end = filter.indexOf('/', start);
      if (end === -1) end = length;
      const child = this.#childFor(node, filter, start, end, create);
      if (child === undefined) return undefined;
      node = child;
      if (end === length) return node;
      start = end + 1;
    }
  }

  /** The child of `node` for the level `filter[start, end)`, created when missing and `create`. */
  #childFor(
    node: SubscriptionNode<S>,
    filter: string,
    start: number,
    end: number,
    create: boolean,
  ): SubscriptionNode<S> | undefined {
    if (end === start + 1) {
      // A level that is exactly '+' or '#' is the wildcard: valid filters have no other use for them.
      const code = filter.charCodeAt(start);
      if (code === PLUS) {
        if (node.plus === undefined && create) node.plus = this.#newNode(node, '+');
        return node.plus;
      }
      if (code === HASH) {
        if (node.hash === undefined && create) node.hash = this.#newNode(node, '#');
        return node.hash;
      }
    }
    const level = filter.substring(start, end);
    let children = node.children;
    let child = children?.get(level);
    if (child === undefined && create) {
      if (children === undefined) {
        children = new Map();
        node.children = children;
      }
      child = this.#newNode(node, level);
      children.set(level, child);
    }
    return child;
  }

  #newNode(parent: SubscriptionNode<S>, level: string): SubscriptionNode<S> {
    this.nodeCount++;
    return new SubscriptionNode(parent, level);
  }

  /** Unlinks empty nodes from `start` up towards the root, so memory does not grow with churn. */
  prune(start: SubscriptionNode<S>): void {
    let node = start;
    let parent = node.parent;
    while (parent !== undefined && node.isEmpty()) {
      if (parent.plus === node) {
        parent.plus = undefined;
      } else if (parent.hash === node) {
        parent.hash = undefined;
      } else if (parent.children !== undefined) {
        parent.children.delete(node.level);
        if (parent.children.size === 0) parent.children = undefined;
      }
      this.nodeCount--;
      node = parent;
      parent = node.parent;
    }
  }
}

/**
 * Outbound topic aliases (v5 section 3.3.2.3.4): picks a Topic Alias for each PUBLISH topic within
 * the server's Topic Alias Maximum. The first PUBLISH of a topic carries the topic and its new alias;
 * later ones carry the alias and an empty topic. When every alias is taken the oldest mapping is
 * replaced (first in, first out): cheap, and correct for any workload, since a replaced alias is
 * simply sent again with its topic. One instance per connection: aliases do not outlive it.
 *
 * A new binding is committed with `bind` only after its PUBLISH was encoded and written: a binding the
 * server never saw would make the next PUBLISH of that topic (sent with an empty topic) a protocol error.
 */
export class TopicAliasSend {
  readonly #maximum: number;
  readonly #aliasByTopic = new Map<string, number>();
  readonly #topicByAlias: (string | undefined)[] = [];
  /** The alias to replace next once all are in use. */
  #victim = 1;

  /** `maximum` is the server's Topic Alias Maximum (0 disables aliases). */
  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** The alias bound to `topic` on this connection, if any. */
  get(topic: string): number | undefined {
    return this.#aliasByTopic.get(topic);
  }

  /** The alias a new topic would get (the next free one, or the oldest to replace); 0 when disabled. */
  candidate(): number {
    if (this.#maximum === 0) return 0;
    return this.#aliasByTopic.size < this.#maximum ? this.#aliasByTopic.size + 1 : this.#victim;
  }

  /** Commits `alias` (from `candidate`) to `topic`, replacing what it stood for before. */
  bind(topic: string, alias: number): void {
    const old = this.#topicByAlias[alias];
    if (old !== undefined) {
      this.#aliasByTopic.delete(old);
      this.#victim = alias === this.#maximum ? 1 : alias + 1;
    }
    this.#aliasByTopic.set(topic, alias);
    this.#topicByAlias[alias] = topic;
  }

  /** Topics with an alias now. */
  get size(): number {
    return this.#aliasByTopic.size;
  }
}

/**
 * MQTT 5.0 topic aliases, one table per direction per connection (section 3.3.2.3.4). Aliases never
 * outlive the connection [MQTT-3.3.2-7].
 */

/** Aliases the client set towards the broker: alias → topic. */
export class InboundTopicAliases {
  private readonly topics = new Map<number, string>();
  readonly maximum: number;

  constructor(maximum: number) {
    this.maximum = maximum;
  }

  /** True for an alias the broker allowed in CONNACK (1..Topic Alias Maximum) [MQTT-3.3.2-9]. */
  isValid(alias: number): boolean {
    return alias >= 1 && alias <= this.maximum;
  }

  set(alias: number, topic: string): void {
    this.topics.set(alias, topic);
  }

  get(alias: number): string | undefined {
    return this.topics.get(alias);
  }
}

/**
 * Aliases the broker sets towards the client, within the client's Topic Alias Maximum
 * [MQTT-3.3.2-10]. First come first served: once all are taken, further topics go out in full.
 */
export class OutboundTopicAliases {
  private readonly aliases = new Map<string, number>();
  readonly maximum: number;

  constructor(maximum: number) {
    this.maximum = maximum;
  }

  /**
   * The alias for `topic`: `existing` when the client already knows it (send an empty topic), `fresh`
   * when assigned now (send topic and alias), undefined when none is left.
   */
  lookup(topic: string): { alias: number; fresh: boolean } | undefined {
    const alias = this.aliases.get(topic);
    if (alias !== undefined) return { alias, fresh: false };
    if (this.aliases.size >= this.maximum) return undefined;
    const assigned = this.aliases.size + 1;
    this.aliases.set(topic, assigned);
    return { alias: assigned, fresh: true };
  }

  /** Take back an alias assigned for a PUBLISH that was not sent after all. */
  forget(topic: string): void {
    this.aliases.delete(topic);
  }
}

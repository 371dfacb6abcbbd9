import { MqttError } from '@mqttkit/types';

/**
 * Inbound topic aliases (v5 section 3.3.2.3.4): remembers the topic the server bound to each alias
 * and resolves aliased PUBLISH packets. Aliases are limited by the Topic Alias Maximum the client sent
 * in CONNECT. One instance per connection.
 */
export class TopicAliasRecv {
  readonly #maximum: number;
  readonly #topics: (string | undefined)[] = [];

  /** `maximum` is the Topic Alias Maximum the client announced (0: the server may not use aliases). */
  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /**
   * The topic of a PUBLISH that carries `alias`: binds it when `topic` is not empty, looks it up
   * otherwise. Returns an `MqttError` (TOPIC_ALIAS_INVALID) for an alias out of range or unknown.
   */
  resolve(topic: string, alias: number): string | MqttError {
    if (alias < 1 || alias > this.#maximum) {
      // [MQTT-3.3.2-9] A Topic Alias of 0 or above the client's Topic Alias Maximum is an error.
      return new MqttError(
        'TOPIC_ALIAS_INVALID',
        `the server used Topic Alias ${alias}, above the maximum ${this.#maximum}`,
        {
          specRef: 'MQTT-3.3.2-9',
        },
      );
    }
    if (topic.length > 0) {
      this.#topics[alias] = topic;
      return topic;
    }
    const known = this.#topics[alias];
    if (known === undefined) {
      return new MqttError(
        'PROTOCOL_ERROR',
        `the server used Topic Alias ${alias} before binding it to a topic`,
      );
    }
    return known;
  }
}

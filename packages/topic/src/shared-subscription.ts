/**
 * Parsing of MQTT 5.0 shared subscription filters, `$share/{ShareName}/{filter}` (section 4.8.2).
 */

import { MqttError } from '@mqttkit/types';
import { quote } from './quote.js';

/** The prefix that marks a shared subscription's Topic Filter [MQTT-4.8.2-1]. */
export const SHARE_PREFIX = '$share/';

/** A shared subscription filter split into its ShareName and the Topic Filter that is matched. */
export interface SharedSubscription {
  /** The group name: at least one character, without `/`, `+` or `#`. */
  readonly shareName: string;
  /** The filter matched against topic names, e.g. `sport/tennis/+` for `$share/g/sport/tennis/+`. */
  readonly topicFilter: string;
}

const HASH = 0x23;
const PLUS = 0x2b;

/**
 * Splits `$share/{ShareName}/{filter}` into its parts: `undefined` when the filter is not a shared
 * subscription, an `MqttError` when it starts with `$share/` but breaks [MQTT-4.8.2-1] or
 * [MQTT-4.8.2-2]. The Topic Filter part is not checked here; `validateTopicFilter` checks all of it.
 */
export function parseSharedSubscription(filter: string): SharedSubscription | MqttError | undefined {
  // "$share" alone, or "$sharex/...", is an ordinary filter: only the "$share/" prefix marks a share.
  if (!filter.startsWith(SHARE_PREFIX)) return undefined;
  const nameStart = SHARE_PREFIX.length;
  const slash = filter.indexOf('/', nameStart);
  if (slash === nameStart || filter.length === nameStart) {
    // [MQTT-4.8.2-1] A ShareName of at least one character. Searching for the first '/' is also
    // what keeps '/' out of the ShareName [MQTT-4.8.2-2].
    return new MqttError(
      'TOPIC_FILTER_INVALID',
      `shared subscription ${quote(filter)} has an empty ShareName`,
      {
        specRef: 'MQTT-4.8.2-1',
      },
    );
  }
  const nameEnd = slash === -1 ? filter.length : slash;
  for (let i = nameStart; i < nameEnd; i++) {
    const code = filter.charCodeAt(i);
    if (code === PLUS || code === HASH) {
      // [MQTT-4.8.2-2] The ShareName must not contain '/', '+' or '#'.
      return new MqttError(
        'TOPIC_FILTER_INVALID',
        `shared subscription ${quote(filter)} has '${code === PLUS ? '+' : '#'}' in its ShareName`,
        { specRef: 'MQTT-4.8.2-2' },
      );
    }
  }
  if (slash === -1 || slash === filter.length - 1) {
    // [MQTT-4.8.2-2] The ShareName is followed by '/' and then a Topic Filter (itself at least one
    // character [MQTT-4.7.3-1]).
    return new MqttError(
      'TOPIC_FILTER_INVALID',
      `shared subscription ${quote(filter)} has no topic filter after its ShareName`,
      { specRef: 'MQTT-4.8.2-2' },
    );
  }
  return { shareName: filter.slice(nameStart, slash), topicFilter: filter.slice(slash + 1) };
}

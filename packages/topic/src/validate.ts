/**
 * Topic Name and Topic Filter validation (MQTT 3.1.1 and 5.0 section 4.7). Validators return an
 * `MqttError` or `undefined` and never throw, so the broker can map the error to a reason code.
 *
 * Spec ids in this file use the 3.1.1 numbering for the wildcard rules; 5.0 renumbered them:
 *   wildcard in a name: 3.1.1 [MQTT-4.7.1-1] = 5.0 [MQTT-4.7.0-1] (both also [MQTT-3.3.2-2])
 *   `#` placement:      3.1.1 [MQTT-4.7.1-2] = 5.0 [MQTT-4.7.1-1]
 *   `+` placement:      3.1.1 [MQTT-4.7.1-3] = 5.0 [MQTT-4.7.1-2]
 * Sections 4.7.2 and 4.7.3 carry the same ids in both versions.
 */

import { MqttError } from '@mqttkit/types';
import { quote } from './quote.js';
import { parseSharedSubscription, SHARE_PREFIX } from './shared-subscription.js';

/** Limits a server applies to topic names and filters on top of the spec's own rules. */
export interface TopicLimits {
  /** Maximum length in UTF-8 bytes, at most 65535 (the spec's ceiling [MQTT-4.7.3-3]). */
  readonly maximumLength?: number;
  /** Maximum number of levels (separators + 1); a shared filter counts the levels after its ShareName. */
  readonly maximumLevels?: number;
}

/** The spec's ceiling on the UTF-8 length of a topic name or filter [MQTT-4.7.3-3]. */
export const MAXIMUM_TOPIC_LENGTH = 65535;

/**
 * Defaults: the spec's 65535-byte ceiling, and 200 levels (Mosquitto's `TOPIC_HIERARCHY_LIMIT`), which
 * no real device tree reaches but which bounds the work one PUBLISH can cause.
 */
export const DEFAULT_TOPIC_LIMITS: Readonly<Required<TopicLimits>> = Object.freeze({
  maximumLength: MAXIMUM_TOPIC_LENGTH,
  maximumLevels: 200,
});

const NUL = 0x00;
const HASH = 0x23;
const PLUS = 0x2b;
const SLASH = 0x2f;

/** The number of bytes `text` takes in UTF-8, counting a lone surrogate as 3 bytes (as U+FFFD). */
export function utf8ByteLength(text: string): number {
  // A char-code loop: no TextEncoder allocation, and it never touches Buffer (this package is pure).
  const length = text.length;
  let bytes = length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
    } else {
      // 3 bytes, or a surrogate pair: 2 UTF-16 units that take 4 UTF-8 bytes.
      bytes += 2;
      if (code <= 0xdbff && code >= 0xd800 && i + 1 < length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) i++;
      }
    }
  }
  return bytes;
}

/**
 * Checks a Topic Name (PUBLISH topic, will topic) against sections 4.7 and 3.3.2.1 and the limits;
 * returns the first rule broken as an `MqttError`, or `undefined` when the name is valid.
 */
export function validateTopicName(topic: string, limits?: TopicLimits): MqttError | undefined {
  const length = topic.length;
  if (length === 0) {
    // [MQTT-4.7.3-1] At least one character. In 5.0 a zero-length name without a Topic Alias is a
    // Protocol Error (3.3.2.1), and 3.1.1 closes the connection: both map to PROTOCOL_ERROR.
    return new MqttError('PROTOCOL_ERROR', 'topic name must be at least one character long', {
      specRef: 'MQTT-4.7.3-1',
    });
  }
  let bytes = 0;
  let levels = 1;
  for (let i = 0; i < length; i++) {
    const code = topic.charCodeAt(i);
    // Every character the rules single out is at or below '/', so most characters take one compare.
    if (code > SLASH) {
      if (code < 0x80) {
        bytes += 1;
      } else {
        const width = multiByteWidth(topic, i, code);
        if (width === 0) return surrogateError(topic, i, 'name');
        bytes += width;
        if (width === 4) i++;
      }
    } else {
      bytes += 1;
      if (code === SLASH) {
        levels++;
      } else if (code === PLUS || code === HASH) {
        // [MQTT-3.3.2-2] / [MQTT-4.7.1-1] Wildcards are for filters, never names.
        return new MqttError(
          'TOPIC_NAME_INVALID',
          `topic name ${quote(topic)} contains the wildcard '${code === PLUS ? '+' : '#'}' at offset ${i}`,
          { specRef: 'MQTT-3.3.2-2' },
        );
      } else if (code === NUL) {
        return nulError(topic, i, 'name');
      }
    }
  }
  return checkLimits(topic, bytes, levels, limits, 'TOPIC_NAME_INVALID', 'name');
}

/**
 * Checks a Topic Filter (SUBSCRIBE, UNSUBSCRIBE) against sections 4.7 and 4.8.2 and the limits,
 * including the `$share/{ShareName}/{filter}` form; returns the first rule broken, or `undefined`.
 */
export function validateTopicFilter(filter: string, limits?: TopicLimits): MqttError | undefined {
  const length = filter.length;
  if (length === 0) {
    // [MQTT-4.7.3-1]
    return new MqttError('TOPIC_FILTER_INVALID', 'topic filter must be at least one character long', {
      specRef: 'MQTT-4.7.3-1',
    });
  }
  // Wildcard and level rules apply to the filter proper; for a shared subscription that starts after
  // `$share/{ShareName}/` (4.8.2), whose own rules parseSharedSubscription checks.
  let start = 0;
  if (filter.startsWith(SHARE_PREFIX)) {
    const shared = parseSharedSubscription(filter);
    if (shared instanceof MqttError) return shared;
    if (shared !== undefined) start = length - shared.topicFilter.length;
  }
  let bytes = 0;
  let levels = 1;
  for (let i = 0; i < length; i++) {
    const code = filter.charCodeAt(i);
    if (code > SLASH) {
      if (code < 0x80) {
        bytes += 1;
      } else {
        const width = multiByteWidth(filter, i, code);
        if (width === 0) return surrogateError(filter, i, 'filter');
        bytes += width;
        if (width === 4) i++;
      }
      continue;
    }
    bytes += 1;
    if (code === NUL) return nulError(filter, i, 'filter');
    if (i < start) continue;
    if (code === SLASH) {
      levels++;
    } else if (code === HASH) {
      // [MQTT-4.7.1-2] '#' stands alone in its level and is the filter's last character.
      const alone = i === start || filter.charCodeAt(i - 1) === SLASH;
      if (!alone || i !== length - 1) {
        return new MqttError(
          'TOPIC_FILTER_INVALID',
          `topic filter ${quote(filter)} has '#' at offset ${i}; it must be alone in the last level`,
          { specRef: 'MQTT-4.7.1-2' },
        );
      }
    } else if (code === PLUS) {
      // [MQTT-4.7.1-3] '+' occupies an entire level.
      const aloneBefore = i === start || filter.charCodeAt(i - 1) === SLASH;
      const aloneAfter = i === length - 1 || filter.charCodeAt(i + 1) === SLASH;
      if (!aloneBefore || !aloneAfter) {
        return new MqttError(
          'TOPIC_FILTER_INVALID',
          `topic filter ${quote(filter)} has '+' at offset ${i}; it must occupy an entire level`,
          { specRef: 'MQTT-4.7.1-3' },
        );
      }
    }
  }
  return checkLimits(filter, bytes, levels, limits, 'TOPIC_FILTER_INVALID', 'filter');
}

/**
 * UTF-8 width of the non-ASCII character at `index`: 2, 3, or 4 for a surrogate pair; 0 for a lone
 * surrogate, which has no UTF-8 encoding.
 */
function multiByteWidth(text: string, index: number, code: number): number {
  if (code < 0x800) return 2;
  if (code < 0xd800 || code > 0xdfff) return 3;
  if (code <= 0xdbff && index + 1 < text.length) {
    const next = text.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 4;
  }
  return 0;
}

function checkLimits(
  text: string,
  bytes: number,
  levels: number,
  limits: TopicLimits | undefined,
  code: 'TOPIC_NAME_INVALID' | 'TOPIC_FILTER_INVALID',
  kind: 'name' | 'filter',
): MqttError | undefined {
  if (bytes > MAXIMUM_TOPIC_LENGTH) {
    // [MQTT-4.7.3-3] Unreachable from the wire (the length prefix is 16 bits), reachable from the API.
    return new MqttError(code, `topic ${kind} is ${bytes} bytes in UTF-8; the limit is 65535`, {
      specRef: 'MQTT-4.7.3-3',
    });
  }
  const maximumLength = limits?.maximumLength ?? DEFAULT_TOPIC_LIMITS.maximumLength;
  if (bytes > maximumLength) {
    // A server limit, not a spec rule: 5.0 reason 0x90/0x8F "correctly formed but not accepted".
    return new MqttError(
      code,
      `topic ${kind} is ${bytes} bytes in UTF-8; this server accepts ${maximumLength}`,
    );
  }
  const maximumLevels = limits?.maximumLevels ?? DEFAULT_TOPIC_LIMITS.maximumLevels;
  if (levels > maximumLevels) {
    return new MqttError(
      code,
      `topic ${kind} ${quote(text)} has ${levels} levels; this server accepts ${maximumLevels}`,
    );
  }
  return undefined;
}

function nulError(text: string, index: number, kind: 'name' | 'filter'): MqttError {
  // [MQTT-4.7.3-2] No U+0000. 5.0 [MQTT-1.5.4-2] makes a packet carrying it a Malformed Packet; 3.1.1
  // [MQTT-1.5.3-2] closes the connection.
  return new MqttError(
    'MALFORMED_PACKET',
    `topic ${kind} ${quote(text)} contains the null character U+0000 at offset ${index}`,
    { specRef: 'MQTT-4.7.3-2' },
  );
}

function surrogateError(text: string, index: number, kind: 'name' | 'filter'): MqttError {
  // 5.0 [MQTT-1.5.4-1] / 3.1.1 [MQTT-1.5.3-1]: UTF-8 strings never encode U+D800..U+DFFF. A lone
  // surrogate cannot come off the wire through a strict decoder, but can through the API.
  return new MqttError(
    'MALFORMED_PACKET',
    `topic ${kind} ${quote(text)} contains a lone UTF-16 surrogate at offset ${index}, which is not valid UTF-8`,
    { specRef: 'MQTT-1.5.4-1' },
  );
}

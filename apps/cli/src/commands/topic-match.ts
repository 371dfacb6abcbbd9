/**
 * Topic filter matching for `mqttkit sub -T` (the broker already matched the subscription; this only
 * decides what is not printed).
 */

/** True when `topic` matches `filter` (`+` one level, `#` the rest; `$` topics only by a `$` level). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  // [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with `$`.
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) return false;
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/**
 * One filter against one topic name (section 4.7), walking both strings by index: no `split`, no
 * allocation (style guide R5.4).
 */

const DOLLAR = 0x24;
const HASH = 0x23;
const PLUS = 0x2b;
const SLASH = 0x2f;

/**
 * True when the Topic Filter matches the Topic Name. Both are assumed valid (see `validateTopicFilter`
 * and `validateTopicName`); for anything else the answer is unspecified but the function never throws.
 * A shared subscription filter must be passed without its `$share/{ShareName}/` prefix.
 */
export function matches(filter: string, topic: string): boolean {
  const filterLength = filter.length;
  const topicLength = topic.length;
  if (filterLength === 0 || topicLength === 0) return false;
  const first = filter.charCodeAt(0);
  // [MQTT-4.7.2-1] A filter starting with a wildcard never matches a name starting with '$'.
  if ((first === HASH || first === PLUS) && topic.charCodeAt(0) === DOLLAR) return false;

  let f = 0;
  let t = 0;
  // Each pass starts at the first character of one level in both strings.
  for (;;) {
    const code = filter.charCodeAt(f);
    if (code === HASH) return true;
    if (code === PLUS) {
      // '+' takes the whole level, including an empty one.
      const slash = topic.indexOf('/', t);
      t = slash === -1 ? topicLength : slash;
      f++;
    } else {
      while (f < filterLength && t < topicLength) {
        const filterCode = filter.charCodeAt(f);
        if (filterCode !== topic.charCodeAt(t)) break;
        if (filterCode === SLASH) break;
        f++;
        t++;
      }
      const filterAtEnd = f === filterLength || filter.charCodeAt(f) === SLASH;
      const topicAtEnd = t === topicLength || topic.charCodeAt(t) === SLASH;
      if (!filterAtEnd || !topicAtEnd) return false;
    }
    // Both now stand at a '/' or at their end.
    if (f === filterLength) return t === topicLength;
    if (t === topicLength) {
      // 4.7.1.2: "sport/#" also matches "sport", since '#' includes the parent level.
      return f + 2 === filterLength && filter.charCodeAt(f + 1) === HASH;
    }
    f++;
    t++;
  }
}

/** True when the filter contains a wildcard (`+` or `#`); 5.0 servers may refuse these (reason 0xA2). */
export function isWildcardFilter(filter: string): boolean {
  for (let i = 0; i < filter.length; i++) {
    const code = filter.charCodeAt(i);
    if (code === PLUS || code === HASH) return true;
  }
  return false;
}

/**
 * The ACL file, Mosquitto-like, and its compiled form that answers publish and subscribe checks
 * synchronously.
 *
 * ```
 * # Rules before any `user` or `client` line apply to anonymous clients (no user name).
 * topic read public/#
 * # `pattern` rules apply to every client, wherever they are written; %c is the client id, %u the user name.
 * pattern readwrite devices/%c/#
 * pattern read users/%u/inbox/#
 * user alice
 * topic readwrite home/#
 * topic deny home/secret/#
 * client sensor-7
 * topic write sensors/7/+
 * ```
 *
 * - `topic [read|write|readwrite|deny] FILTER`: no access word means readwrite. The filter is the rest
 *   of the line, so it may contain spaces (`$SYS/broker/retained messages/count`).
 * - `user NAME` / `client ID` start a section: the `topic` lines after it apply to that user name or
 *   client id, until the next section. Sections with the same name are merged.
 * - `pattern [access] FILTER`: applies to everyone. A pattern with `%u` is skipped for anonymous
 *   clients, and a pattern is skipped for a client whose id (or user name) holds `/`, `+` or `#`, which
 *   would otherwise widen it (a client id `#` must not turn `devices/%c` into `devices/#`).
 * - `deny` wins over every grant that matches, wherever it is written.
 * - What no rule grants is denied. A client gets its user's rules (or the anonymous rules), its client
 *   id's rules, and the patterns.
 *
 * Checks: PUBLISH needs write access to the topic. SUBSCRIBE needs read access to every topic the filter
 * can match (the readable filters must cover it, and no deny rule may share a topic with it); shared
 * subscriptions are checked on the filter after `$share/{group}/`.
 */
import { readFile } from 'node:fs/promises';
import { AuthFileError, describeFileError } from './auth-file-error.js';
import {
  type FilterLevels,
  filterCovered,
  filtersIntersect,
  hasWildcard,
  innerFilter,
  invalidFilterReason,
  splitLevels,
  topicMatches,
} from './topic-filter.js';

/** What a rule grants (or, for `deny`, takes away). */
export type AclAccess = 'read' | 'write' | 'readwrite' | 'deny';

/** One `topic` or `pattern` line. */
export interface AclRule {
  readonly access: AclAccess;
  readonly filter: string;
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** A parsed ACL file. */
export interface AclFile {
  readonly source: string;
  /** `topic` rules before the first section: for clients without a user name. */
  readonly anonymous: readonly AclRule[];
  readonly users: ReadonlyMap<string, readonly AclRule[]>;
  readonly clients: ReadonlyMap<string, readonly AclRule[]>;
  /** `pattern` rules, for everyone. */
  readonly patterns: readonly AclRule[];
}

const ACCESS_WORDS: ReadonlySet<string> = new Set(['read', 'write', 'readwrite', 'deny']);

/** Parses ACL text; `source` names the file in errors. Throws `AuthFileError` listing every bad line. */
export function parseAcl(text: string, source: string): AclFile {
  const anonymous: AclRule[] = [];
  const users = new Map<string, AclRule[]>();
  const clients = new Map<string, AclRule[]>();
  const patterns: AclRule[] = [];
  const problems: string[] = [];
  let section: AclRule[] = anonymous;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const problem = (why: string) => problems.push(`${source}:${line}: ${why}`);
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const space = trimmed.search(/\s/);
    const keyword = space === -1 ? trimmed : trimmed.slice(0, space);
    const rest = space === -1 ? '' : trimmed.slice(space).trim();
    switch (keyword) {
      case 'user':
      case 'client': {
        if (rest === '') {
          problem(`"${keyword}" needs a ${keyword === 'user' ? 'user name' : 'client id'}`);
          return;
        }
        const sections = keyword === 'user' ? users : clients;
        let rules = sections.get(rest);
        if (rules === undefined) {
          rules = [];
          sections.set(rest, rules);
        }
        section = rules;
        return;
      }
      case 'topic':
      case 'pattern': {
        const rule = parseRule(keyword, rest, line, problem);
        if (rule === undefined) return;
        (keyword === 'pattern' ? patterns : section).push(rule);
        return;
      }
      default:
        problem(`unknown keyword ${JSON.stringify(keyword)}; expected topic, pattern, user or client`);
    }
  });
  if (problems.length > 0) throw new AuthFileError(source, problems);
  return { source, anonymous, users, clients, patterns };
}

function parseRule(
  keyword: 'topic' | 'pattern',
  rest: string,
  line: number,
  problem: (why: string) => void,
): AclRule | undefined {
  if (rest === '') {
    problem(`"${keyword}" needs a topic filter: ${keyword} [read|write|readwrite|deny] FILTER`);
    return undefined;
  }
  const space = rest.search(/\s/);
  const first = space === -1 ? rest : rest.slice(0, space);
  let access: AclAccess = 'readwrite';
  let filter = rest;
  if (space !== -1) {
    // Strict on purpose: `topic raed a/#` must not become a readwrite rule on "raed a/#".
    if (!ACCESS_WORDS.has(first)) {
      problem(
        `unknown access ${JSON.stringify(first)}; expected read, write, readwrite or deny (a filter with spaces needs an access word before it)`,
      );
      return undefined;
    }
    access = first as AclAccess;
    filter = rest.slice(space).trim();
  } else if (ACCESS_WORDS.has(first)) {
    problem(`"${keyword} ${first}" needs a topic filter after the access word`);
    return undefined;
  }
  const invalid = invalidFilterReason(filter);
  if (invalid !== undefined) {
    problem(`invalid topic filter ${JSON.stringify(filter)}: ${invalid}`);
    return undefined;
  }
  if (keyword === 'topic' && /%[cu]/.test(filter)) {
    problem(`%c and %u are substituted only in "pattern" rules; use pattern ${access} ${filter}`);
    return undefined;
  }
  return { access, filter, line };
}

/** Reads and parses an ACL file; a missing or unreadable file is an `AuthFileError` too. */
export async function readAclFile(path: string): Promise<AclFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new AuthFileError(path, [`${path}: cannot read the ACL file: ${describeFileError(error)}`], {
      cause: error,
    });
  }
  return parseAcl(text, path);
}

/** Who is asking: the two fields of `ClientInfo` the ACL reads. */
export interface AclClient {
  readonly id: string;
  readonly username: string | undefined;
}

/**
 * The rules that apply to one client, sorted for fast checks: literal filters in sets (one hash
 * lookup), wildcard filters pre-split.
 */
class RuleSet {
  readonly readLiterals = new Set<string>();
  readonly readWildcards: FilterLevels[] = [];
  readonly writeLiterals = new Set<string>();
  readonly writeWildcards: FilterLevels[] = [];
  readonly denyLiterals = new Set<string>();
  readonly denyWildcards: FilterLevels[] = [];
  /** Every readable filter split into levels, built at the first wildcard SUBSCRIBE. */
  private readableLevels: FilterLevels[] | undefined;
  /** Every deny filter split into levels, likewise. */
  private denyLevels: FilterLevels[] | undefined;

  add(access: AclAccess, filter: string): void {
    const wildcard = hasWildcard(filter);
    if (access === 'deny') {
      if (wildcard) this.denyWildcards.push(splitLevels(filter));
      else this.denyLiterals.add(filter);
      return;
    }
    if (access === 'read' || access === 'readwrite') {
      if (wildcard) this.readWildcards.push(splitLevels(filter));
      else this.readLiterals.add(filter);
    }
    if (access === 'write' || access === 'readwrite') {
      if (wildcard) this.writeWildcards.push(splitLevels(filter));
      else this.writeLiterals.add(filter);
    }
  }

  addAll(other: RuleSet): void {
    for (const filter of other.readLiterals) this.readLiterals.add(filter);
    for (const filter of other.writeLiterals) this.writeLiterals.add(filter);
    for (const filter of other.denyLiterals) this.denyLiterals.add(filter);
    this.readWildcards.push(...other.readWildcards);
    this.writeWildcards.push(...other.writeWildcards);
    this.denyWildcards.push(...other.denyWildcards);
  }

  /** True when `topic` is matched by a deny rule. */
  private isDenied(topic: string): boolean {
    if (this.denyLiterals.has(topic)) return true;
    for (let i = 0; i < this.denyWildcards.length; i++) {
      if (topicMatches(this.denyWildcards[i]!, topic)) return true;
    }
    return false;
  }

  canWrite(topic: string): boolean {
    if (this.denyLiterals.size > 0 || this.denyWildcards.length > 0) {
      if (this.isDenied(topic)) return false;
    }
    if (this.writeLiterals.has(topic)) return true;
    const wildcards = this.writeWildcards;
    for (let i = 0; i < wildcards.length; i++) if (topicMatches(wildcards[i]!, topic)) return true;
    return false;
  }

  canRead(topicFilter: string): boolean {
    const filter = innerFilter(topicFilter);
    if (!hasWildcard(filter)) {
      if (this.isDenied(filter)) return false;
      if (this.readLiterals.has(filter)) return true;
      return this.readWildcards.some((levels) => topicMatches(levels, filter));
    }
    const levels = splitLevels(filter);
    this.denyLevels ??= [...[...this.denyLiterals].map(splitLevels), ...this.denyWildcards];
    if (this.denyLevels.some((deny) => filtersIntersect(deny, levels))) return false;
    this.readableLevels ??= [...[...this.readLiterals].map(splitLevels), ...this.readWildcards];
    return filterCovered(levels, this.readableLevels);
  }
}

function ruleSetOf(rules: readonly AclRule[]): RuleSet {
  const set = new RuleSet();
  for (const rule of rules) set.add(rule.access, rule.filter);
  return set;
}

/** Characters that would widen a pattern if substituted (a client id `#`). */
const UNSAFE_IN_PATTERN = /[/+#]/;

/** A client's rule set, with the identity it was built for. */
interface CachedRules {
  readonly id: string;
  readonly username: string | undefined;
  readonly rules: RuleSet;
}

/**
 * A compiled ACL file. User, client and anonymous rules are compiled once here; the set for one
 * client (its user's rules + its client id's rules + the patterns filled in) is built at its first
 * check and cached on its `ClientInfo` object, so a PUBLISH costs a set lookup and a few matches.
 */
export class Acl {
  readonly source: string;
  /** Rules in the file, for logs. */
  readonly ruleCount: number;
  private readonly anonymous: RuleSet;
  private readonly users: Map<string, RuleSet>;
  private readonly clients: Map<string, RuleSet>;
  private readonly patterns: readonly AclRule[];
  /** Per-client rule sets; a reload builds a new `Acl`, so stale sets go with the old one. */
  private readonly cache = new WeakMap<AclClient, CachedRules>();

  constructor(file: AclFile) {
    this.source = file.source;
    this.anonymous = ruleSetOf(file.anonymous);
    this.users = new Map([...file.users].map(([name, rules]) => [name, ruleSetOf(rules)]));
    this.clients = new Map([...file.clients].map(([id, rules]) => [id, ruleSetOf(rules)]));
    this.patterns = file.patterns;
    let count = file.anonymous.length + file.patterns.length;
    for (const rules of file.users.values()) count += rules.length;
    for (const rules of file.clients.values()) count += rules.length;
    this.ruleCount = count;
  }

  /** True when `client` may publish to `topic`. */
  canPublish(client: AclClient, topic: string): boolean {
    return this.rulesFor(client).canWrite(topic);
  }

  /** True when `client` may subscribe to `topicFilter` (`$share/{group}/` prefix allowed). */
  canSubscribe(client: AclClient, topicFilter: string): boolean {
    return this.rulesFor(client).canRead(topicFilter);
  }

  private rulesFor(client: AclClient): RuleSet {
    const cached = this.cache.get(client);
    // The same ClientInfo object lives as long as the connection; re-authentication may change its
    // user name, so the identity is compared too.
    if (cached !== undefined && cached.id === client.id && cached.username === client.username) {
      return cached.rules;
    }
    const rules = this.build(client);
    this.cache.set(client, { id: client.id, username: client.username, rules });
    return rules;
  }

  private build(client: AclClient): RuleSet {
    const set = new RuleSet();
    const { id, username } = client;
    const own = username === undefined ? this.anonymous : this.users.get(username);
    if (own !== undefined) set.addAll(own);
    const byClient = this.clients.get(id);
    if (byClient !== undefined) set.addAll(byClient);
    for (const pattern of this.patterns) {
      const filter = substitute(pattern.filter, id, username);
      if (filter !== undefined) set.add(pattern.access, filter);
    }
    return set;
  }
}

/** Fills `%c` and `%u` into a pattern; undefined when the pattern does not apply to this client. */
export function substitute(
  pattern: string,
  clientId: string,
  username: string | undefined,
): string | undefined {
  const usesClient = pattern.includes('%c');
  const usesUser = pattern.includes('%u');
  if (usesClient && (clientId === '' || UNSAFE_IN_PATTERN.test(clientId))) return undefined;
  if (usesUser && (username === undefined || username === '' || UNSAFE_IN_PATTERN.test(username))) {
    return undefined;
  }
  if (!usesClient && !usesUser) return pattern;
  return pattern.replace(/%[cu]/g, (token) => (token === '%c' ? clientId : username!));
}

/**
 * Checks the data of a config file (already parsed from YAML or JSON) against the settings table and
 * turns it into a layer. Every problem is collected, so one run shows them all.
 */
import type { ConfigIssue } from './config-error.js';
import { type ConfigLayer, emptyLayer } from './config-layer.js';
import { closest, didYouMean } from './did-you-mean.js';
import {
  LISTENER_LIMIT_TYPES,
  LISTENER_PROTOCOLS,
  type ListenerConfig,
  PROTOCOL_NAMES,
  SECTIONS,
  SETTINGS,
  type Setting,
} from './schema.js';
import { describeValue } from './value-types.js';

/** A mapping in the settings tree: section names lead to sections, leaf names to settings. */
type Tree = Map<string, Tree | Setting>;

/** The settings table as a tree of sections, built once from the dotted paths. */
const TREE: Tree = buildTree();

function buildTree(): Tree {
  const root: Tree = new Map();
  for (const row of SETTINGS) {
    const parts = row.path.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      let child = node.get(part);
      if (child === undefined) {
        child = new Map();
        node.set(part, child);
      }
      if (!(child instanceof Map)) throw new Error(`settings table: ${row.path} nests under a setting`);
      node = child;
    }
    node.set(parts.at(-1)!, row);
  }
  return root;
}

/** True for a YAML/JSON mapping (not a list, not null). */
function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a parsed config file; `source` names the file in every issue. */
export function validateFileData(
  data: unknown,
  source: string,
): { layer: ConfigLayer; issues: ConfigIssue[] } {
  const layer = emptyLayer();
  const issues: ConfigIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message, source });
  // An empty YAML file parses to null: nothing is set, which is valid.
  if (data === null || data === undefined) return { layer, issues };
  if (!isMapping(data)) {
    issue('', `the file must hold a mapping of settings, got ${describeValue(data)}`);
    return { layer, issues };
  }
  walk(data, TREE, '', layer, issue);
  return { layer, issues };
}

type Report = (path: string, message: string) => void;

function walk(
  data: Record<string, unknown>,
  tree: Tree,
  prefix: string,
  layer: ConfigLayer,
  issue: Report,
): void {
  for (const [key, value] of Object.entries(data)) {
    const path = prefix + key;
    if (prefix === '' && key === 'listeners') {
      const listeners = validateListeners(value, issue);
      if (listeners !== undefined) layer.listeners = listeners;
      continue;
    }
    const node = tree.get(key);
    if (node === undefined) {
      issue(path, `unknown key${suggestKey(key, tree, prefix)}`);
    } else if (node instanceof Map) {
      if (isMapping(value)) walk(value, node, `${path}.`, layer, issue);
      // `limits:` with nothing under it is null in YAML: an empty section, not an error.
      else if (value !== null) issue(path, `must be a mapping of settings, got ${describeValue(value)}`);
    } else if (node.type.check(value)) {
      layer.values.set(node.path, value);
    } else {
      issue(path, `must be ${node.type.expected}, got ${describeValue(value)}`);
    }
  }
}

/** A sibling with a similar name, or else a setting anywhere with that leaf name (`maximumInflight` at the top). */
function suggestKey(key: string, tree: Tree, prefix: string): string {
  const siblings = [...tree.keys(), ...(prefix === '' ? ['listeners'] : [])];
  const near = closest(key, siblings);
  if (near !== undefined) return `; did you mean ${prefix}${near}?`;
  const leaves = SETTINGS.filter((row) => row.path.split('.').at(-1)!.toLowerCase() === key.toLowerCase());
  if (leaves.length > 0) return `; did you mean ${leaves.map((row) => row.path).join(' or ')}?`;
  if (prefix === '') return `; the sections are ${Object.keys(SECTIONS).join(', ')}`;
  return '';
}

function validateListeners(value: unknown, issue: Report): ListenerConfig[] | undefined {
  if (!Array.isArray(value)) {
    issue('listeners', `must be a list of listeners, got ${describeValue(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    issue('listeners', 'must list at least one listener');
    return undefined;
  }
  const listeners: ListenerConfig[] = [];
  let valid = true;
  value.forEach((item: unknown, index) => {
    const listener = validateListener(item, `listeners[${index}]`, issue);
    if (listener === undefined) valid = false;
    else listeners.push(listener);
  });
  return valid ? listeners : undefined;
}

function validateListener(item: unknown, path: string, issue: Report): ListenerConfig | undefined {
  if (!isMapping(item)) {
    issue(path, `must be a mapping (protocol, host, port, ...), got ${describeValue(item)}`);
    return undefined;
  }
  // Without a protocol a listener is plain tcp, the common case.
  const protocol = item.protocol ?? 'tcp';
  if (!(PROTOCOL_NAMES as readonly unknown[]).includes(protocol)) {
    const expected = `one of ${PROTOCOL_NAMES.slice(0, -1).join(', ')} or ${PROTOCOL_NAMES.at(-1)}`;
    issue(`${path}.protocol`, `must be ${expected}, got ${describeValue(protocol)}`);
    return undefined;
  }
  const { fields } = LISTENER_PROTOCOLS[protocol as ListenerConfig['protocol']];
  const result: Record<string, unknown> = { protocol };
  let valid = true;
  for (const [key, value] of Object.entries(item)) {
    if (key === 'protocol') continue;
    const field = fields.find((row) => row.path === key);
    if (field?.path === 'limits' && isMapping(value)) {
      if (validateListenerLimits(value, `${path}.limits`, issue)) result[key] = value;
      else valid = false;
      continue;
    }
    if (field === undefined) {
      issue(
        `${path}.${key}`,
        `unknown key for a ${protocol} listener${didYouMean(
          key,
          fields.map((row) => row.path),
        )}`,
      );
      valid = false;
    } else if (field.type.check(value)) {
      result[key] = value;
    } else {
      issue(`${path}.${key}`, `must be ${field.type.expected}, got ${describeValue(value)}`);
      valid = false;
    }
  }
  for (const field of fields) {
    if (field.path in result) continue;
    if (field.default !== undefined) result[field.path] = field.default;
    else if (field.required === true) {
      issue(`${path}.${field.path}`, `is required for a ${protocol} listener`);
      valid = false;
    }
  }
  // Every field was checked against the protocol's table just above, so this is a ListenerConfig.
  return valid ? (result as unknown as ListenerConfig) : undefined;
}

/** A listener's `limits`: only connection-level keys, each valid as the top-level limit is. */
function validateListenerLimits(limits: Record<string, unknown>, path: string, issue: Report): boolean {
  let valid = true;
  for (const [key, value] of Object.entries(limits)) {
    const type = LISTENER_LIMIT_TYPES[key];
    if (type === undefined) {
      const reason = SETTINGS.some((setting) => setting.path === `limits.${key}`)
        ? 'is broker-wide and cannot be set per listener'
        : 'unknown limit';
      issue(`${path}.${key}`, `${reason}${didYouMean(key, Object.keys(LISTENER_LIMIT_TYPES))}`);
      valid = false;
    } else if (!type.check(value)) {
      issue(`${path}.${key}`, `must be ${type.expected}, got ${describeValue(value)}`);
      valid = false;
    }
  }
  return valid;
}

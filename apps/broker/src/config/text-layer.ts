/**
 * Turns settings given as text (environment variables, flags) into a layer, converting each text
 * with its setting's type so `--port 1884` and `port: 1884` end up the same.
 */
import type { ConfigIssue } from './config-error.js';
import { type ConfigLayer, emptyLayer } from './config-layer.js';
import { LISTENER_PROTOCOLS, type Setting } from './schema.js';
import { describeValue } from './value-types.js';

/** One setting given as text. */
export interface TextSetting {
  /** A scalar setting, or a field of the first tcp listener (`--host`, `--port`). */
  readonly target:
    | { readonly kind: 'setting'; readonly setting: Setting }
    | { readonly kind: 'listener'; readonly field: 'host' | 'port' };
  readonly text: string;
  /** The flag or variable that gave it, for error messages. */
  readonly source: string;
}

/** The tcp listener fields that flags and environment variables may set. */
export const LISTENER_OVERRIDE_FIELDS: readonly Setting[] = LISTENER_PROTOCOLS.tcp.fields.filter(
  (field) => field.path === 'host' || field.path === 'port',
);

/** Converts and checks every entry; later entries for the same setting win. */
export function layerFromText(entries: readonly TextSetting[]): {
  layer: ConfigLayer;
  issues: ConfigIssue[];
} {
  const layer = emptyLayer();
  const issues: ConfigIssue[] = [];
  for (const { target, text, source } of entries) {
    const setting =
      target.kind === 'setting'
        ? target.setting
        : LISTENER_OVERRIDE_FIELDS.find((field) => field.path === target.field)!;
    const value = setting.type.fromText(text);
    if (!setting.type.check(value)) {
      issues.push({
        path: setting.path,
        message: `must be ${setting.type.expected}, got ${describeValue(text)}`,
        source,
      });
    } else if (target.kind === 'setting') {
      layer.values.set(setting.path, value);
    } else if (typeof value === 'number') {
      layer.listenerOverrides.port = value;
    } else if (typeof value === 'string') {
      layer.listenerOverrides.host = value;
    }
  }
  return { layer, issues };
}

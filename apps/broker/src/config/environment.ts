/**
 * Reads the `MQTTKIT_*` environment variables: one per setting (named in `--help`), the first tcp
 * listener's `MQTTKIT_HOST` and `MQTTKIT_PORT`, and `MQTTKIT_CONFIG` for the config file.
 */
import type { ConfigIssue } from './config-error.js';
import type { ConfigLayer } from './config-layer.js';
import { closest } from './did-you-mean.js';
import { ENV_PREFIX, SETTINGS } from './schema.js';
import { LISTENER_OVERRIDE_FIELDS, layerFromText, type TextSetting } from './text-layer.js';

/** Names the config file when `--config` is not given. */
export const CONFIG_FILE_ENV = `${ENV_PREFIX}CONFIG`;

/** Every environment variable the broker reads. */
function knownEnvNames(): string[] {
  return [
    CONFIG_FILE_ENV,
    ...LISTENER_OVERRIDE_FIELDS.map((field) => field.env!),
    ...SETTINGS.flatMap((row) => (row.env === undefined ? [] : [row.env])),
  ];
}

/** What the environment sets: a layer, its problems, and warnings about unknown `MQTTKIT_*` names. */
export interface EnvironmentSettings {
  layer: ConfigLayer;
  issues: ConfigIssue[];
  warnings: string[];
  configFile?: string;
}

/**
 * Reads the settings from `env`. An empty variable counts as unset (the usual shell idiom
 * `MQTTKIT_PORT= cmd`); an unknown `MQTTKIT_*` name is a warning, not an error, since other tools
 * may share the prefix.
 */
export function readEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentSettings {
  const entries: TextSetting[] = [];
  for (const field of LISTENER_OVERRIDE_FIELDS) {
    const text = env[field.env!];
    if (text !== undefined && text !== '') {
      entries.push({
        target: { kind: 'listener', field: field.path as 'host' | 'port' },
        text,
        source: field.env!,
      });
    }
  }
  for (const setting of SETTINGS) {
    const text = setting.env === undefined ? undefined : env[setting.env];
    if (text !== undefined && text !== '')
      entries.push({ target: { kind: 'setting', setting }, text, source: setting.env! });
  }
  const known = knownEnvNames();
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || known.includes(name)) continue;
    const near = closest(name, known);
    warnings.push(
      `environment variable ${name} is not a setting and is ignored${near === undefined ? '' : `; did you mean ${near}?`}`,
    );
  }
  const { layer, issues } = layerFromText(entries);
  const configFile = env[CONFIG_FILE_ENV];
  return {
    layer,
    issues,
    warnings,
    ...(configFile !== undefined && configFile !== '' ? { configFile } : {}),
  };
}

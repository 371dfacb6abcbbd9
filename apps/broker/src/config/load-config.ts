/**
 * Builds the configuration from every source, in order of precedence: flags > environment variables >
 * config file > defaults. Problems from all sources are reported together.
 */
import { ConfigError, type ConfigIssue } from './config-error.js';
import type { ConfigLayer } from './config-layer.js';
import { readEnvironment } from './environment.js';
import type { ParsedFlags } from './flags.js';
import { readConfigFile } from './read-config-file.js';
import { resolveConfig } from './resolve-config.js';
import type { AppConfig } from './schema.js';
import { layerFromText } from './text-layer.js';
import { validateFileData } from './validate-file.js';

/** A usable configuration, with warnings to log once logging is set up. */
export interface LoadedConfig {
  config: AppConfig;
  warnings: string[];
  /** The file read, if any. */
  configFile?: string;
}

/** Loads and validates the configuration; throws `ConfigError` listing every problem. */
export async function loadConfig(
  flags: Pick<ParsedFlags, 'configFile' | 'settings'>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<LoadedConfig> {
  const environment = readEnvironment(env);
  // Reported in order of precedence, lowest first: file, environment, flags.
  const issues: ConfigIssue[] = [];
  const layers: ConfigLayer[] = [];
  const configFile = flags.configFile ?? environment.configFile;
  if (configFile !== undefined) {
    const read = await readConfigFile(configFile);
    if (read.ok) {
      const file = validateFileData(read.data, configFile);
      issues.push(...file.issues);
      layers.push(file.layer);
    } else {
      issues.push(...read.issues);
    }
  }
  issues.push(...environment.issues);
  layers.push(environment.layer);
  const fromFlags = layerFromText(flags.settings);
  issues.push(...fromFlags.issues);
  layers.push(fromFlags.layer);
  // Cross-setting checks on a config with bad values would only repeat those problems.
  if (issues.length > 0) throw new ConfigError(issues);
  const resolved = resolveConfig(layers);
  if (resolved.issues.length > 0) throw new ConfigError(resolved.issues);
  return {
    config: resolved.config,
    warnings: environment.warnings,
    ...(configFile === undefined ? {} : { configFile }),
  };
}

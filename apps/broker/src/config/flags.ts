/**
 * Command-line flags. The flags that set a setting come from the settings table (`flag` on a row);
 * `--set PATH=VALUE` reaches every other setting, so the command line can override anything a file can.
 */
import { closest } from './did-you-mean.js';
import { CONFIG_FILE_ENV } from './environment.js';
import { SETTINGS, type Setting } from './schema.js';
import { LISTENER_OVERRIDE_FIELDS, type TextSetting } from './text-layer.js';

/** One command-line flag, as `--help` lists it. */
export interface FlagSpec {
  readonly name: string;
  readonly short?: string;
  /** Placeholder of the value (`PORT`); absent for switches such as `--help`. */
  readonly value?: string;
  readonly description: string;
  readonly env?: string;
  /** The setting it sets, if any. */
  readonly setting?: Setting;
}

/** A placeholder for a setting's value: `--log-level LEVEL`. */
function placeholder(setting: Setting): string {
  return setting.path
    .split('.')
    .at(-1)!
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();
}

function settingFlag(setting: Setting, description: string, short?: string): FlagSpec {
  return {
    name: setting.flag!,
    ...(short === undefined ? {} : { short }),
    value: placeholder(setting),
    description,
    ...(setting.env === undefined ? {} : { env: setting.env }),
    setting,
  };
}

const portField = LISTENER_OVERRIDE_FIELDS.find((field) => field.path === 'port')!;
const hostField = LISTENER_OVERRIDE_FIELDS.find((field) => field.path === 'host')!;

/** Every flag, in the order `--help` lists them. */
export const FLAGS: readonly FlagSpec[] = [
  {
    name: '--config',
    short: '-c',
    value: 'FILE',
    description: 'Read settings from a YAML (.yaml, .yml) or JSON (.json) file.',
    env: CONFIG_FILE_ENV,
  },
  settingFlag(
    portField,
    `Port of the first tcp listener (default ${String(portField.default)}; 0 = any free port).`,
    '-p',
  ),
  settingFlag(hostField, `Address the first tcp listener binds (default ${String(hostField.default)}).`),
  ...SETTINGS.filter((row) => row.flag !== undefined).map((row) =>
    settingFlag(
      row,
      `Sets ${row.path}: ${row.type.expected}; default ${row.defaultText ?? String(row.default)}.`,
    ),
  ),
  {
    name: '--set',
    value: 'KEY=VALUE',
    description: 'Sets any setting below by its key, e.g. --set limits.maximumInflight=64 (repeatable).',
  },
  { name: '--print-config', description: 'Print the resolved configuration as YAML and exit.' },
  { name: '--help', short: '-h', description: 'Print this help and exit.' },
  { name: '--version', description: 'Print the version and exit.' },
];

/** What the command line asked for. */
export interface ParsedFlags {
  help: boolean;
  version: boolean;
  printConfig: boolean;
  configFile?: string;
  /** Settings given as text, in command-line order (later ones win). */
  settings: TextSetting[];
}

/** The command line is wrong; `problems` lists every mistake, one sentence each. */
export class UsageError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
    this.problems = problems;
  }
}

/** Parses `argv` (without node and the script); throws `UsageError` listing every mistake. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const parsed: ParsedFlags = { help: false, version: false, printConfig: false, settings: [] };
  const problems: string[] = [];
  const names = FLAGS.flatMap((flag) => (flag.short === undefined ? [flag.name] : [flag.name, flag.short]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') {
      problems.push(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
      continue;
    }
    const equals = arg.indexOf('=');
    const given = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    const inline = given === arg ? undefined : arg.slice(equals + 1);
    const flag = FLAGS.find((spec) => spec.name === given || spec.short === given);
    if (flag === undefined) {
      const near = closest(given, names);
      problems.push(`unknown option ${given}${near === undefined ? '' : `; did you mean ${near}?`}`);
      continue;
    }
    if (flag.value === undefined) {
      if (inline !== undefined) problems.push(`${flag.name} takes no value`);
      else if (flag.name === '--help') parsed.help = true;
      else if (flag.name === '--version') parsed.version = true;
      else if (flag.name === '--print-config') parsed.printConfig = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      // `--port --host x` forgot the port; a lone `-` or a negative number is still a value.
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        problems.push(`${flag.name} needs a value (${flag.value})`);
        continue;
      }
      value = next;
      i++;
    }
    const problem = applyValue(parsed, flag, given, value);
    if (problem !== undefined) problems.push(problem);
  }
  if (problems.length > 0) throw new UsageError(problems);
  return parsed;
}

/** Records one flag's value; returns a problem sentence if the value cannot be used. */
function applyValue(parsed: ParsedFlags, flag: FlagSpec, given: string, value: string): string | undefined {
  if (flag.name === '--config') {
    if (value === '') return '--config needs a file name';
    parsed.configFile = value;
    return undefined;
  }
  if (flag.name === '--set') return applySet(parsed, value);
  const setting = flag.setting!;
  if (setting.path === 'port' || setting.path === 'host') {
    parsed.settings.push({ target: { kind: 'listener', field: setting.path }, text: value, source: given });
  } else {
    parsed.settings.push({ target: { kind: 'setting', setting }, text: value, source: given });
  }
  return undefined;
}

function applySet(parsed: ParsedFlags, assignment: string): string | undefined {
  const equals = assignment.indexOf('=');
  if (equals <= 0) return `--set needs KEY=VALUE, got ${JSON.stringify(assignment)}`;
  const path = assignment.slice(0, equals);
  const setting = SETTINGS.find((row) => row.path === path);
  if (setting === undefined) {
    const near = closest(
      path,
      SETTINGS.map((row) => row.path),
    );
    const hint = path.startsWith('listeners')
      ? '; listeners are set in the config file, or with --host and --port'
      : near === undefined
        ? ''
        : `; did you mean ${near}?`;
    return `--set: unknown setting ${path}${hint}`;
  }
  parsed.settings.push({
    target: { kind: 'setting', setting },
    text: assignment.slice(equals + 1),
    source: `--set ${path}`,
  });
  return undefined;
}

/** The `--help` text, generated from the flag and settings tables so it always lists every key. */
import { FLAGS, type FlagSpec } from './flags.js';
import { LISTENER_PROTOCOLS, PROTOCOL_NAMES, SECTIONS, SETTINGS, type Setting } from './schema.js';
import { wrap } from './wrap.js';

/** Exit codes of `mqttkit-broker`, documented in `--help`. */
export const EXIT_CODES = {
  ok: 0,
  /** The broker could not start (a port in use, an address not on this machine). */
  startFailed: 1,
  /** Bad flags or configuration. */
  usage: 2,
} as const;

function flagLine(flag: FlagSpec): string[] {
  const names = `${flag.short === undefined ? '    ' : `${flag.short}, `}${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
  const env = flag.env === undefined ? '' : ` Env: ${flag.env}.`;
  const [first = '', ...rest] = wrap(flag.description + env, ' '.repeat(28));
  const head = `  ${names}`.padEnd(28);
  return head.length > 28 ? [`  ${names}`, first, ...rest] : [head + first.trimStart(), ...rest];
}

function defaultOf(setting: Setting): string {
  return setting.defaultText ?? String(setting.default);
}

function settingLines(path: string, setting: Setting, extra = ''): string[] {
  const overrides = [
    setting.env === undefined ? '' : `Env: ${setting.env}.`,
    setting.flag === undefined ? '' : `Flag: ${setting.flag}.`,
  ]
    .filter((part) => part !== '')
    .join(' ');
  return [
    `  ${path} — ${setting.type.expected}; default ${defaultOf(setting)}`,
    ...wrap(`${setting.description} ${overrides}${extra}`, '      '),
  ];
}

/**
 * Each listener field once, in table order, with the protocols that have it and, where they differ,
 * each protocol's default (`port`: 1883 for tcp, 8883 for tls, ...).
 */
function listenerFieldLines(): string[] {
  const byPath = new Map<string, { field: Setting; protocols: { name: string; field: Setting }[] }>();
  for (const name of PROTOCOL_NAMES) {
    for (const field of LISTENER_PROTOCOLS[name].fields) {
      const entry = byPath.get(field.path) ?? { field, protocols: [] };
      entry.protocols.push({ name, field });
      byPath.set(field.path, entry);
    }
  }
  const lines: string[] = [];
  for (const [path, { field, protocols }] of byPath) {
    const defaults = new Set(protocols.map((p) => defaultOf(p.field)));
    const shown =
      defaults.size === 1
        ? field
        : { ...field, defaultText: protocols.map((p) => `${defaultOf(p.field)} ${p.name}`).join(', ') };
    const only =
      protocols.length === PROTOCOL_NAMES.length
        ? ''
        : ` Only for ${protocols.map((p) => p.name).join(' and ')}.`;
    const shortcut = field.flag === undefined ? '' : ' Both change the first tcp listener.';
    lines.push(...settingLines(`listeners[].${path}`, shown, `${only}${shortcut}`));
  }
  return lines;
}

/** Renders the full `--help` text. */
export function renderHelp(version: string): string {
  const lines: string[] = [
    `mqttkit-broker ${version}: an MQTT 3.1 / 3.1.1 / 5.0 broker`,
    '',
    'Usage: mqttkit-broker [options]',
    '',
    'With no options it listens on 0.0.0.0:1883 (plain TCP) and keeps sessions in memory.',
    '',
    'Options:',
    ...FLAGS.flatMap(flagLine),
    '',
    'Precedence: flags > environment variables > config file > defaults. In flags and environment',
    'variables, booleans are true/false (or yes/no, on/off, 1/0) and integers may be written 0x...',
    '',
    'Settings, by their key in the config file (YAML or JSON; see mqttkit-broker.sample.yaml). Unknown',
    'keys are errors.',
  ];
  lines.push('', 'listeners', ...wrap(SECTIONS.listeners!, '  '));
  lines.push(
    ...wrap(
      `  With no listeners configured, one tcp listener on 0.0.0.0:1883 is used. --host and --port (MQTTKIT_HOST, MQTTKIT_PORT) change the first tcp listener.`,
      '  ',
    ),
  );
  const names = `${PROTOCOL_NAMES.slice(0, -1).join(', ')} or ${PROTOCOL_NAMES.at(-1)}`;
  lines.push(`  listeners[].protocol — ${names}; default tcp`);
  for (const name of PROTOCOL_NAMES) {
    const protocol = LISTENER_PROTOCOLS[name];
    lines.push(...wrap(`${name}: ${protocol.description}`, '      '));
  }
  lines.push(...listenerFieldLines());
  for (const [section, description] of Object.entries(SECTIONS)) {
    if (section === 'listeners') continue;
    lines.push('', section, ...wrap(description, '  '));
    for (const setting of SETTINGS.filter((row) => row.path.startsWith(`${section}.`))) {
      lines.push(...settingLines(setting.path, setting));
    }
  }
  lines.push(
    '',
    'Signals: SIGINT or SIGTERM stops the broker gracefully (MQTT 5.0 clients get DISCONNECT 0x8B,',
    'Server shutting down); a second signal exits at once. SIGHUP reloads the password and ACL files',
    '(both or neither) and the TLS certificates without dropping connections; what cannot be read is',
    'logged and the files in force stay.',
    '',
    `Exit status: ${EXIT_CODES.ok} stopped cleanly; ${EXIT_CODES.startFailed} could not start (e.g. port in use); ${EXIT_CODES.usage} bad flags or`,
    'configuration; 130 or 143 forced by a second SIGINT or SIGTERM.',
  );
  return `${lines.join('\n')}\n`;
}

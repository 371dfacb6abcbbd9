/**
 * The sample config file (`mqttkit-broker.sample.yaml`), generated from the settings table so it
 * documents every key with its default. A test keeps the committed file equal to this output.
 */
import { stringify } from 'yaml';
import { DEFAULT_LISTENER, LISTENER_PROTOCOLS, SECTIONS, SETTINGS, type Setting } from './schema.js';
import { wrap } from './wrap.js';

/** A value as YAML writes it on one line (`0.0.0.0`, `true`, `{ maximumQoS: 1 }`). */
function yamlScalar(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow' }).trim();
}

function comment(text: string, indent: string): string[] {
  return wrap(text, `${indent}# `);
}

function settingBlock(key: string, setting: Setting, indent: string, note = ''): string[] {
  const required = setting.required === true;
  const env = setting.env === undefined ? '' : ` Env ${setting.env}.`;
  const flag = setting.flag === undefined ? '' : ` Flag ${setting.flag}.`;
  const optional =
    setting.default === undefined && !required ? ` Optional; default ${setting.defaultText ?? 'none'}.` : '';
  const lines = comment(`${setting.description}${note}`, indent);
  lines.push(...comment(`Must be ${setting.type.expected}.${optional}${env}${flag}`, indent));
  lines.push(
    setting.default === undefined
      ? `${indent}${required ? '' : '# '}${key}: ${yamlScalar(setting.example ?? '')}`
      : `${indent}${key}: ${yamlScalar(setting.default)}`,
  );
  return lines;
}

/** Renders the sample config: every setting, set to its default, with its description. */
export function renderSampleConfig(): string {
  const lines: string[] = [
    '# mqttkit-broker configuration: every setting, set to its default.',
    '#',
    '# Start the broker with it:   mqttkit-broker --config mqttkit-broker.sample.yaml',
    '# Keep only what you change; unknown keys are errors. JSON with the same keys works too.',
    '# Precedence: command-line flags > MQTTKIT_* environment variables > this file > defaults.',
    '# Generated from the settings table in src/config/schema.ts; `mqttkit-broker --help` lists the same.',
    '',
    ...comment(SECTIONS.listeners!, ''),
    'listeners:',
  ];
  for (const [protocol, { description, fields }] of Object.entries(LISTENER_PROTOCOLS)) {
    const isDefault = protocol === DEFAULT_LISTENER.protocol;
    const block = [`  - protocol: ${protocol}`];
    fields.forEach((field, index) => {
      // The other protocols' id, host and port read like tcp's: their defaults are enough there.
      const common = !isDefault && ['id', 'host', 'port'].includes(field.path);
      if (common) {
        if (field.default !== undefined) block.push(`    ${field.path}: ${yamlScalar(field.default)}`);
        return;
      }
      if (index > 0) block.push('');
      const note = field.flag === undefined ? '' : ' The flag and variable change the first tcp listener.';
      block.push(...settingBlock(field.path, field, '    ', note));
    });
    if (isDefault) {
      lines.push(...comment(description, '  '), ...block);
    } else {
      // Commented out: the sample must describe the default configuration (a tcp listener only).
      lines.push(
        '',
        ...comment(`${description} To use it, remove the "# " after the indentation of its lines.`, '  '),
        ...block.map((line) => (line === '' ? '  #' : `  # ${line.slice(2)}`)),
      );
    }
  }
  for (const [section, description] of Object.entries(SECTIONS)) {
    if (section === 'listeners') continue;
    lines.push('', ...comment(description, ''), `${section}:`);
    const rows = SETTINGS.filter((row) => row.path.startsWith(`${section}.`));
    rows.forEach((row, index) => {
      if (index > 0) lines.push('');
      lines.push(...settingBlock(row.path.slice(section.length + 1), row, '  '));
    });
  }
  return `${lines.join('\n')}\n`;
}

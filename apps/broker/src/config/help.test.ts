import { describe, expect, it } from 'vitest';
import { FLAGS } from './flags.js';
import { renderHelp } from './help.js';
import { LISTENER_PROTOCOLS, SECTIONS, SETTINGS } from './schema.js';

describe('renderHelp', () => {
  const help = renderHelp('1.2.3');

  it('lists every setting with its type, default and environment variable', () => {
    for (const row of SETTINGS) {
      expect(help).toContain(
        `  ${row.path} — ${row.type.expected}; default ${row.defaultText ?? String(row.default)}`,
      );
      expect(help).toContain(row.env!);
    }
  });

  it('lists every listener field, section and flag', () => {
    for (const { fields } of Object.values(LISTENER_PROTOCOLS)) {
      for (const field of fields) expect(help).toContain(`listeners[].${field.path} — `);
    }
    for (const section of Object.keys(SECTIONS)) expect(help).toMatch(new RegExp(`^${section}$`, 'm'));
    for (const flag of FLAGS) {
      expect(help).toContain(flag.name);
      if (flag.short !== undefined) expect(help).toContain(`${flag.short}, ${flag.name}`);
      if (flag.env !== undefined) expect(help).toContain(flag.env);
    }
  });

  it('states the version, precedence, signals and exit codes, in lines of at most 100 characters', () => {
    expect(help).toMatch(/^mqttkit-broker 1\.2\.3/);
    expect(help).toContain('Precedence: flags > environment variables > config file > defaults');
    expect(help).toContain('DISCONNECT 0x8B');
    expect(help).toContain('Exit status:');
    for (const line of help.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });
});

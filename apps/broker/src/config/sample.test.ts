import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from './resolve-config.js';
import { renderSampleConfig } from './sample.js';
import { LISTENER_PROTOCOLS, SETTINGS } from './schema.js';
import { validateFileData } from './validate-file.js';

const SAMPLE = new URL('../../mqttkit-broker.sample.yaml', import.meta.url);

describe('sample config', () => {
  // Regenerate with `npx vitest run -u src/config/sample.test.ts` after changing the settings table.
  it('is the file generated from the settings table', async () => {
    await expect(renderSampleConfig()).toMatchFileSnapshot(SAMPLE.pathname);
  });

  it('sets every setting, to its default, and validates cleanly', async () => {
    const data: unknown = parse(await readFile(SAMPLE, 'utf8'));
    const { layer, issues } = validateFileData(data, 'sample');
    expect(issues).toEqual([]);
    for (const row of SETTINGS) expect(layer.values.get(row.path), row.path).toEqual(row.default);
    expect(resolveConfig([layer]).config).toEqual(resolveConfig([]).config);
  });

  it('documents every key, optional ones commented out', () => {
    const text = renderSampleConfig();
    for (const row of SETTINGS) {
      const commented = row.default === undefined ? '# ' : '';
      expect(text).toMatch(new RegExp(`^  ${commented}${row.path.split('.').at(-1)}: `, 'm'));
      expect(text).toContain(row.env!);
    }
    for (const [protocol, { fields }] of Object.entries(LISTENER_PROTOCOLS)) {
      // Only tcp is live; the other protocols are commented-out examples.
      const indent = protocol === 'tcp' ? '  ' : '  # ';
      expect(text).toContain(`\n${indent}- protocol: ${protocol}\n`);
      for (const field of fields) {
        if (protocol !== 'tcp' && field.path === 'id') continue;
        expect(text, `${protocol} ${field.path}`).toMatch(
          new RegExp(`^${indent}  (# )?${field.path}: `, 'm'),
        );
      }
    }
  });
});

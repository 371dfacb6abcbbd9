/**
 * The browser entry must bundle for `platform: 'browser'` with no Node built-in: esbuild cannot resolve
 * `node:*` (or bare `net`, `tls`, ...) for that platform, so importing one fails the build.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = (name: string) => fileURLToPath(new URL(`../src/${name}`, import.meta.url));

function bundle(file: string) {
  return build({
    entryPoints: [file],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Sibling packages are bundled from their TypeScript source, as the tests run them.
    conditions: ['@mqttkit/source', 'browser'],
  });
}

describe('browser bundle', () => {
  it('bundles src/browser.ts for the browser without any Node built-in', async () => {
    const result = await bundle(entry('browser.ts'));
    const code = result.outputFiles[0]!.text;
    expect(result.errors).toEqual([]);
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/\bBuffer\./);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('ws-browser.ts'))).toBe(true);
    expect(inputs.filter((path) => /transports\/(tcp|tls|ws-node|node-stream)\.ts$/.test(path))).toEqual([]);
    expect(inputs.filter((path) => path.includes('node_modules/ws/'))).toEqual([]);
    expect(code).toContain('function connect(');
  });

  it('fails to bundle the Node entry for the browser, so the check above can fail', async () => {
    await expect(bundle(entry('index.ts'))).rejects.toThrow(/node:net|node:tls|Could not resolve/);
  });
});

import { readFileSync } from 'node:fs';

/**
 * The version in this app's package.json. Both `src/` and `dist/` sit one level below it, so the
 * same relative URL works for tests on source and for the built binary.
 */
export function appVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

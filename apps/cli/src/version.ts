/**
 * The CLI's version, from its package.json (one directory above both `src/` and `dist/`).
 */
import { readFileSync } from 'node:fs';

/** The `version` field of apps/cli/package.json, or `0.0.0-unknown` if it cannot be read. */
export function cliVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0-unknown';
  } catch {
    return '0.0.0-unknown';
  }
}

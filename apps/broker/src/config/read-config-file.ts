/** Reads a config file and parses it as YAML or JSON by its extension. */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config-error.js';

/** File extensions the broker reads, and the format of each. */
const FORMATS: Readonly<Record<string, 'yaml' | 'json'>> = {
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.json': 'json',
};

/** The parsed data of a config file, or the issues that stopped it from being read. */
export type ReadResult = { ok: true; data: unknown } | { ok: false; issues: ConfigIssue[] };

/** Reads and parses `path`; a missing file, an unknown extension or a syntax error becomes an issue naming the file. */
export async function readConfigFile(path: string): Promise<ReadResult> {
  const fail = (message: string): ReadResult => ({
    ok: false,
    issues: [{ path: '', message, source: path }],
  });
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    return fail(`unsupported file type ${JSON.stringify(extname(path))}; use .yaml, .yml or .json`);
  }
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    return fail(`cannot read the config file: ${describeReadError(error)}`);
  }
  return format === 'json' ? parseJson(source, path) : parseYaml(source, path);
}

function parseYaml(source: string, path: string): ReadResult {
  // `uniqueKeys` (the default) makes a repeated key an error rather than a silent last-one-wins.
  const document = parseDocument(source, { prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      // The first line holds the message and position; the rest is a source excerpt with a caret.
      issues: document.errors.map((error) => ({
        path: '',
        message: `YAML syntax error: ${error.message.split('\n')[0]!.replace(/:$/, '')}`,
        source: path,
      })),
    };
  }
  return { ok: true, data: document.toJS() };
}

function parseJson(source: string, path: string): ReadResult {
  try {
    return { ok: true, data: JSON.parse(source) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: '', message: `JSON syntax error: ${message}`, source: path }] };
  }
}

/** `ENOENT` and friends in words. */
function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}

/**
 * The password file: one `username:hash` line per user, with salted, slow hashes from node:crypto.
 * Used by the broker's authenticate hook and by `mqttkit passwd FILE USER` (exported as
 * `mqttkit-broker/password-file`).
 *
 * ```
 * # comments and blank lines are kept when the file is rewritten
 * alice:$scrypt$N=32768,r=8,p=1$<salt, base64>$<hash, base64>
 * bob:$pbkdf2-sha512$i=210000$<salt, base64>$<hash, base64>
 * carol:$7$101$<salt, base64>$<hash, base64>
 * ```
 *
 * - `$scrypt$N=..,r=..,p=..$salt$hash`: the default. scrypt with N=32768 (2^15), r=8, p=1 (32 MiB and
 *   ~0.1 s of CPU per check on a current machine), a 16-byte random salt and a 32-byte hash.
 * - `$pbkdf2-sha512$i=..$salt$hash`: PBKDF2-HMAC-SHA512, default 210000 iterations, 16-byte salt,
 *   64-byte hash (`hashPassword(pw, { scheme: 'pbkdf2-sha512' })`).
 * - `$7$iterations$salt$hash`: what `mosquitto_passwd` writes (PBKDF2-SHA512), verified so a Mosquitto
 *   password file works unchanged. Mosquitto's older `$6$` (one round of SHA-512) is refused: it is
 *   not a slow hash.
 *
 * Hashing and checking run on libuv's thread pool (async `scrypt`/`pbkdf2`), never on the event
 * loop, and hashes are compared with `crypto.timingSafeEqual`. A user name is any non-empty text
 * without `:` or control characters; the password is the bytes the client sends (a string is UTF-8).
 */
import { pbkdf2, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuthFileError, describeFileError } from './auth-file-error.js';

/** The hash schemes `hashPassword` can write. */
export type PasswordScheme = 'scrypt' | 'pbkdf2-sha512';

/** scrypt cost parameters. */
export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

/** The default scrypt cost: N=2^15, r=8, p=1 (32 MiB per check). */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 32_768, r: 8, p: 1 };

/** The default PBKDF2-SHA512 iteration count (OWASP's 2023 recommendation). */
export const DEFAULT_PBKDF2_ITERATIONS = 210_000;

/** How `hashPassword` hashes; everything defaults. */
export interface HashOptions {
  /** Default `scrypt`. */
  scheme?: PasswordScheme;
  /** scrypt cost; default `DEFAULT_SCRYPT_COST`. */
  cost?: Partial<ScryptCost>;
  /** PBKDF2 iterations; default `DEFAULT_PBKDF2_ITERATIONS`. */
  iterations?: number;
}

const SALT_BYTES = 16;
const SCRYPT_KEY_BYTES = 32;
const PBKDF2_KEY_BYTES = 64;
/** Bounds that keep a mistyped (or hostile) file from making one check take minutes or gigabytes. */
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;
const MAX_ITERATIONS = 10_000_000;

/** A hash string decoded. */
type ParsedHash =
  | { scheme: 'scrypt'; cost: ScryptCost; salt: Buffer; hash: Buffer }
  | { scheme: 'pbkdf2-sha512'; iterations: number; salt: Buffer; hash: Buffer };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function decodeBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new Error(`the ${what} is not base64`);
  return Buffer.from(text, 'base64');
}

function positiveInteger(text: string | undefined, what: string, max: number): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new Error(`${what} must be a positive integer`);
  const value = Number(text);
  if (value < 1 || value > max) throw new Error(`${what} must be from 1 to ${max}`);
  return value;
}

function checkScryptCost(cost: ScryptCost): ScryptCost {
  const { N, r, p } = cost;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw new Error('N must be a power of two');
  if (!Number.isInteger(r) || r < 1 || r > 64) throw new Error('r must be from 1 to 64');
  if (!Number.isInteger(p) || p < 1 || p > 16) throw new Error('p must be from 1 to 16');
  if (128 * N * r > MAX_SCRYPT_MEMORY) throw new Error('N x r asks for more than 1 GiB of memory');
  return cost;
}

/** Decodes a hash string; throws an Error saying what is wrong (never echoing the text). */
function parseHash(encoded: string): ParsedHash {
  if (!encoded.startsWith('$')) {
    throw new Error('the password is not hashed (expected $scrypt$..., $pbkdf2-sha512$... or $7$...)');
  }
  const parts = encoded.split('$');
  const scheme = parts[1];
  if (scheme === '6') {
    throw new Error("Mosquitto's $6$ hashes (one round of SHA-512) are not accepted; set the password again");
  }
  if (parts.length !== 5) throw new Error(`a $${scheme}$ hash has the form $${scheme}$params$salt$hash`);
  const [, , params = '', saltText = '', hashText = ''] = parts;
  const salt = decodeBase64(saltText, 'salt');
  const hash = decodeBase64(hashText, 'hash');
  if (salt.length < 8) throw new Error('the salt must be at least 8 bytes');
  if (hash.length < 16 || hash.length > 128) throw new Error('the hash must be 16 to 128 bytes');
  switch (scheme) {
    case 'scrypt': {
      const fields = new Map(params.split(',').map((field) => field.split('=', 2) as [string, string]));
      const known = ['N', 'r', 'p'];
      if (fields.size !== 3 || ![...fields.keys()].every((key) => known.includes(key))) {
        throw new Error('scrypt parameters must be N=..,r=..,p=..');
      }
      const cost = checkScryptCost({
        N: positiveInteger(fields.get('N'), 'N', 2 ** 30),
        r: positiveInteger(fields.get('r'), 'r', 64),
        p: positiveInteger(fields.get('p'), 'p', 16),
      });
      return { scheme: 'scrypt', cost, salt, hash };
    }
    case 'pbkdf2-sha512': {
      if (!params.startsWith('i=')) throw new Error('pbkdf2-sha512 parameters must be i=ITERATIONS');
      const iterations = positiveInteger(params.slice(2), 'the iteration count', MAX_ITERATIONS);
      return { scheme: 'pbkdf2-sha512', iterations, salt, hash };
    }
    case '7': {
      const iterations = positiveInteger(params, 'the iteration count', MAX_ITERATIONS);
      return { scheme: 'pbkdf2-sha512', iterations, salt, hash };
    }
    default:
      throw new Error(`unknown hash scheme $${scheme}$; expected $scrypt$, $pbkdf2-sha512$ or $7$`);
  }
}

/** Why `encoded` is not a usable hash string, or undefined when it is. */
export function hashProblem(encoded: string): string | undefined {
  try {
    parseHash(encoded);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function toBytes(password: string | Uint8Array): Buffer {
  return typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
}

function deriveScrypt(password: Buffer, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Node refuses unless maxmem exceeds 128 * N * r; leave headroom rather than rely on its default.
    const maxmem = 256 * cost.N * cost.r + 1024 * 1024;
    scrypt(password, salt, length, { N: cost.N, r: cost.r, p: cost.p, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function derivePbkdf2(password: Buffer, salt: Buffer, iterations: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, length, 'sha512', (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes `password` with a fresh random salt; the result goes after `username:` in the file. */
export async function hashPassword(
  password: string | Uint8Array,
  options: HashOptions = {},
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const bytes = toBytes(password);
  if ((options.scheme ?? 'scrypt') === 'pbkdf2-sha512') {
    const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new RangeError(`iterations must be from 1 to ${MAX_ITERATIONS}`);
    }
    const hash = await derivePbkdf2(bytes, salt, iterations, PBKDF2_KEY_BYTES);
    return `$pbkdf2-sha512$i=${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
  }
  const cost = { ...DEFAULT_SCRYPT_COST, ...options.cost };
  try {
    checkScryptCost(cost);
  } catch (error) {
    throw new RangeError((error as Error).message);
  }
  const hash = await deriveScrypt(bytes, salt, cost, SCRYPT_KEY_BYTES);
  return `$scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * True when `password` hashes to `encoded`. Runs off the event loop; compares in constant time.
 * A malformed hash string is false (files are checked when they are read).
 */
export async function verifyPassword(password: string | Uint8Array, encoded: string): Promise<boolean> {
  let parsed: ParsedHash;
  try {
    parsed = parseHash(encoded);
  } catch {
    return false;
  }
  const bytes = toBytes(password);
  const derived =
    parsed.scheme === 'scrypt'
      ? await deriveScrypt(bytes, parsed.salt, parsed.cost, parsed.hash.length)
      : await derivePbkdf2(bytes, parsed.salt, parsed.iterations, parsed.hash.length);
  return timingSafeEqual(derived, parsed.hash);
}

// ─── The file ────────────────────────────────────────────────────────────────

/** One line of a password file: a user's entry, or a comment or blank line kept as it was. */
export type PasswordFileLine =
  | { readonly kind: 'entry'; readonly username: string; readonly hash: string }
  | { readonly kind: 'text'; readonly text: string };

/** A password file: its lines in order, and the entries by user name. */
export interface PasswordFile {
  readonly lines: readonly PasswordFileLine[];
  /** Hash string by user name. */
  readonly users: ReadonlyMap<string, string>;
}

function fileOf(lines: readonly PasswordFileLine[]): PasswordFile {
  const users = new Map<string, string>();
  for (const line of lines) if (line.kind === 'entry') users.set(line.username, line.hash);
  return { lines, users };
}

/** A file with no users. */
export function emptyPasswordFile(): PasswordFile {
  return fileOf([]);
}

/** Why `username` cannot be in a password file, or undefined when it can. */
export function usernameProblem(username: string): string | undefined {
  if (username === '') return 'the user name is empty';
  if (username.includes(':')) return 'a user name cannot contain ":"';
  // Control characters (a newline above all) would break the line format.
  for (let i = 0; i < username.length; i++) {
    if (username.charCodeAt(i) < 0x20 || username.charCodeAt(i) === 0x7f) {
      return 'a user name cannot contain control characters';
    }
  }
  if (Buffer.byteLength(username) > 65_535) return 'a user name is at most 65535 bytes (MQTT)';
  return undefined;
}

/** Parses password file text; `source` names the file in errors. Throws `AuthFileError` listing every bad line. */
export function parsePasswordFile(text: string, source: string): PasswordFile {
  const lines: PasswordFileLine[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const rows = text.split(/\r?\n/);
  // A final newline does not start another line.
  if (rows.at(-1) === '') rows.pop();
  rows.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      lines.push({ kind: 'text', text: raw });
      return;
    }
    const colon = trimmed.indexOf(':');
    if (colon === -1) {
      problems.push(`${source}:${line}: expected username:hash`);
      return;
    }
    const username = trimmed.slice(0, colon);
    const hash = trimmed.slice(colon + 1);
    const badName = usernameProblem(username);
    // The hash text is never shown: a mistaken plain-text password must not end up in a log.
    const badHash = badName === undefined ? hashProblem(hash) : undefined;
    if (badName !== undefined) problems.push(`${source}:${line}: ${badName}`);
    else if (badHash !== undefined)
      problems.push(`${source}:${line}: user ${JSON.stringify(username)}: ${badHash}`);
    else if (seen.has(username)) {
      problems.push(
        `${source}:${line}: user ${JSON.stringify(username)} is already on line ${seen.get(username)}`,
      );
    } else {
      seen.set(username, line);
      lines.push({ kind: 'entry', username, hash });
    }
  });
  if (problems.length > 0) throw new AuthFileError(source, problems);
  return fileOf(lines);
}

/** Renders a password file as text (entries as `username:hash`, other lines unchanged). */
export function formatPasswordFile(file: PasswordFile): string {
  const text = file.lines.map((line) =>
    line.kind === 'entry' ? `${line.username}:${line.hash}` : line.text,
  );
  return text.length === 0 ? '' : `${text.join('\n')}\n`;
}

/** Options of `readPasswordFile`. */
export interface ReadPasswordFileOptions {
  /** A missing file reads as an empty one (for `mqttkit passwd` creating a file). */
  allowMissing?: boolean;
}

/** Reads and parses a password file; problems are an `AuthFileError` naming the file and line. */
export async function readPasswordFile(
  path: string,
  options: ReadPasswordFileOptions = {},
): Promise<PasswordFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (options.allowMissing === true && (error as NodeJS.ErrnoException).code === 'ENOENT') {
      return emptyPasswordFile();
    }
    throw new AuthFileError(path, [`${path}: cannot read the password file: ${describeFileError(error)}`], {
      cause: error,
    });
  }
  return parsePasswordFile(text, path);
}

/**
 * Writes `file` to `path` atomically: a temporary file (mode 0600) in the same directory, flushed to
 * disk, then renamed over `path`, so a reader (or a SIGHUP reload) sees the old file or the new one,
 * never half of one. The result is mode 0600 whatever the old file's mode was.
 */
export async function writePasswordFile(path: string, file: PasswordFile): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(formatPasswordFile(file), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/**
 * Adds `username` or changes its password; returns the new file (the old one is unchanged). A new user
 * goes at the end; a changed one keeps its line.
 */
export async function setPassword(
  file: PasswordFile,
  username: string,
  password: string | Uint8Array,
  options: HashOptions = {},
): Promise<PasswordFile> {
  const problem = usernameProblem(username);
  if (problem !== undefined) throw new RangeError(problem);
  const hash = await hashPassword(password, options);
  const entry: PasswordFileLine = { kind: 'entry', username, hash };
  const lines = file.users.has(username)
    ? file.lines.map((line) => (line.kind === 'entry' && line.username === username ? entry : line))
    : [...file.lines, entry];
  return fileOf(lines);
}

/** Removes `username`; `deleted` is false (and the file unchanged) when it was not there. */
export function deletePassword(
  file: PasswordFile,
  username: string,
): { file: PasswordFile; deleted: boolean } {
  if (!file.users.has(username)) return { file, deleted: false };
  return {
    file: fileOf(file.lines.filter((line) => line.kind !== 'entry' || line.username !== username)),
    deleted: true,
  };
}

/**
 * The authenticate hook, in this order:
 * 1. A client whose listener took its user name from a verified TLS client certificate
 *    (`usernameFromCertificate`, which puts it in `client.transport.username`) is allowed as that user;
 *    the CONNECT user name and password are ignored (Mosquitto's `use_identity_as_username`).
 * 2. A client without a user name is allowed only when anonymous access is on, else refused with Not
 *    authorized (v5 0x87, 3.1.1 return code 5).
 * 3. Without a password file (`file` undefined): a user name is accepted unchecked when anonymous
 *    access is on (the open default), refused otherwise.
 * 4. A known user whose password verifies is allowed; a wrong password, an unknown user or a user name
 *    without a password is refused with Bad user name or password (v5 0x86, 3.1.1 return code 4).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AuthenticateEvent, AuthenticateResult, Hook, Logger } from '@mqttkit/broker';
import { ReasonCode } from '@mqttkit/types';
import { emptyPasswordFile, hashPassword, type PasswordFile, verifyPassword } from './password-file.js';

/** Logins since start, for metrics. */
export interface LoginCounts {
  allowed: number;
  /** Wrong password, unknown user, or a user name without a password. */
  badCredentials: number;
  /** No user name while anonymous access is off. */
  anonymousRefused: number;
}

/** Options of `PasswordHook`. */
export interface PasswordHookOptions {
  /** The users; none means no password checks (see the class comment for what that allows). */
  file: PasswordFile | undefined;
  allowAnonymous: boolean;
  logger: Logger;
  /** Successful logins remembered to skip the slow hash on reconnect (default 10000; 0 = none). */
  cacheSize?: number;
}

/**
 * Checks CONNECT credentials against the password file. Verification is asynchronous (scrypt or
 * PBKDF2 on the thread pool); the broker holds that client's packets meanwhile.
 *
 * Reconnect storms: after a successful check, an HMAC of (hash string, password) under a key made at
 * start is remembered per user, so a device reconnecting with the same password is checked in
 * microseconds instead of paying the slow hash again. Failed checks are never remembered (guessing
 * stays slow), the hash string is part of the HMAC (a changed password or a reload invalidates it),
 * and the cache is bounded. For an unknown user the password is still checked against a hash from
 * the file (and the answer ignored), so the refusal takes as long as a wrong password does.
 */
export class PasswordHook implements Hook {
  readonly id = 'password-file';
  readonly logins: LoginCounts = { allowed: 0, badCredentials: 0, anonymousRefused: 0 };
  private users: ReadonlyMap<string, string>;
  private readonly checksPasswords: boolean;
  private readonly allowAnonymous: boolean;
  private readonly logger: Logger;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Buffer>();
  private readonly cacheKey = randomBytes(32);
  private dummyHash: Promise<string> | undefined;

  constructor(options: PasswordHookOptions) {
    this.users = (options.file ?? emptyPasswordFile()).users;
    this.checksPasswords = options.file !== undefined;
    this.allowAnonymous = options.allowAnonymous;
    this.logger = options.logger;
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  /** Users in force. */
  get userCount(): number {
    return this.users.size;
  }

  /** Puts a reloaded file in force; logins from now on use it (connected clients stay connected). */
  replace(file: PasswordFile): void {
    this.users = file.users;
    this.cache.clear();
  }

  authenticate(event: AuthenticateEvent): AuthenticateResult | Promise<AuthenticateResult> {
    const { username, password, client } = event;
    const certificateUser = client.transport.username;
    if (typeof certificateUser === 'string' && certificateUser !== '') {
      this.logins.allowed++;
      return { allow: true, username: certificateUser };
    }
    if (username === undefined) {
      if (this.allowAnonymous) {
        this.logins.allowed++;
        return 'allow';
      }
      this.logins.anonymousRefused++;
      this.logger.info(
        { clientId: client.id, remoteAddress: client.remoteAddress },
        'login refused: no user name and anonymous access is off',
      );
      return { deny: ReasonCode.NotAuthorized, reasonString: 'anonymous access is not allowed' };
    }
    if (!this.checksPasswords) {
      if (this.allowAnonymous) {
        this.logins.allowed++;
        return 'allow';
      }
      this.logins.badCredentials++;
      this.logger.info(
        { clientId: client.id, username, remoteAddress: client.remoteAddress },
        'login refused: no password file, and only certificate users may connect',
      );
      return { deny: ReasonCode.BadUserNameOrPassword, reasonString: 'bad user name or password' };
    }
    const hash = this.users.get(username);
    if (hash !== undefined && password !== undefined && this.cached(username, hash, password)) {
      this.logins.allowed++;
      return 'allow';
    }
    return this.verify(event, username, hash, password);
  }

  private async verify(
    event: AuthenticateEvent,
    username: string,
    hash: string | undefined,
    password: Uint8Array | undefined,
  ): Promise<AuthenticateResult> {
    let ok = false;
    if (hash !== undefined && password !== undefined) {
      ok = await verifyPassword(password, hash);
      if (ok) this.remember(username, hash, password);
    } else {
      // Same work as a wrong password, so timing does not tell which user names exist: check against
      // some user's hash (same scheme and cost as the file; the answer is ignored) or a dummy one.
      let decoy: string | undefined = this.users.values().next().value;
      if (decoy === undefined) {
        this.dummyHash ??= hashPassword(randomBytes(16));
        decoy = await this.dummyHash;
      }
      await verifyPassword(password ?? new Uint8Array(), decoy);
    }
    if (ok) {
      this.logins.allowed++;
      return 'allow';
    }
    this.logins.badCredentials++;
    this.logger.info(
      {
        clientId: event.client.id,
        username,
        remoteAddress: event.client.remoteAddress,
        reason:
          hash === undefined ? 'unknown user' : password === undefined ? 'no password' : 'wrong password',
      },
      'login refused: bad user name or password',
    );
    return { deny: ReasonCode.BadUserNameOrPassword, reasonString: 'bad user name or password' };
  }

  private digest(hash: string, password: Uint8Array): Buffer {
    return createHmac('sha256', this.cacheKey).update(hash).update('\u0000').update(password).digest();
  }

  private cached(username: string, hash: string, password: Uint8Array): boolean {
    const remembered = this.cache.get(username);
    return remembered !== undefined && timingSafeEqual(remembered, this.digest(hash, password));
  }

  private remember(username: string, hash: string, password: Uint8Array): void {
    if (this.cacheSize === 0) return;
    this.cache.delete(username);
    if (this.cache.size >= this.cacheSize) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(username, this.digest(hash, password));
  }
}

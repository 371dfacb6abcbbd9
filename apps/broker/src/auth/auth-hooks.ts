/**
 * The broker's authentication and ACL hooks as configured (`auth.*`), and their reload: both files are
 * read, parsed and compiled off to the side, then swapped in together, so a reload that fails
 * anywhere changes nothing.
 */
import type { Hook, Logger } from '@mqttkit/broker';
import type { AuthConfig } from '../config/schema.js';
import { Acl, readAclFile } from './acl-file.js';
import { AclHook, type SubscriptionOwner } from './acl-hook.js';
import { AuthFileError } from './auth-file-error.js';
import { type PasswordFile, readPasswordFile } from './password-file.js';
import { PasswordHook } from './password-hook.js';

/** The configured files, read and compiled. */
export interface AuthFiles {
  readonly passwords?: PasswordFile;
  readonly acl?: Acl;
}

/**
 * Reads the configured password and ACL files concurrently. Throws one `AuthFileError` with the
 * problems of both files when either cannot be used.
 */
export async function readAuthFiles(config: AuthConfig): Promise<AuthFiles> {
  const [passwords, acl] = await Promise.allSettled([
    config.passwordFile === undefined ? undefined : readPasswordFile(config.passwordFile),
    config.aclFile === undefined ? undefined : readAclFile(config.aclFile).then((file) => new Acl(file)),
  ]);
  const problems: string[] = [];
  for (const result of [passwords, acl]) {
    if (result.status === 'fulfilled') continue;
    if (result.reason instanceof AuthFileError) problems.push(...result.reason.problems);
    else throw result.reason;
  }
  if (problems.length > 0) {
    throw new AuthFileError(config.passwordFile ?? config.aclFile ?? '', problems);
  }
  const files: { passwords?: PasswordFile; acl?: Acl } = {};
  if (passwords.status === 'fulfilled' && passwords.value !== undefined) files.passwords = passwords.value;
  if (acl.status === 'fulfilled' && acl.value !== undefined) files.acl = acl.value;
  return files;
}

/** True when anonymous clients may connect: as configured, else only without a password file. */
export function allowsAnonymous(config: AuthConfig): boolean {
  return config.allowAnonymous ?? config.passwordFile === undefined;
}

/**
 * The hooks `auth.*` asks for: a password hook when there is a password file, when anonymous access is
 * turned off, or when a listener takes user names from client certificates (the hook makes that name
 * the client's user name); an ACL hook when there is an ACL file. With none of these, no hook: every
 * client may connect, publish and subscribe (the broker's allow-all default).
 */
export class AuthHooks {
  readonly password: PasswordHook | undefined;
  readonly acl: AclHook | undefined;
  /** The `auth.*` settings these hooks were made from (reloads read the same files). */
  readonly config: AuthConfig;

  constructor(config: AuthConfig, files: AuthFiles, logger: Logger, certificateUsers = false) {
    this.config = config;
    const allowAnonymous = allowsAnonymous(config);
    this.password =
      config.passwordFile !== undefined || !allowAnonymous || certificateUsers
        ? new PasswordHook({ file: files.passwords, allowAnonymous, logger })
        : undefined;
    this.acl = files.acl === undefined ? undefined : new AclHook(files.acl, logger);
  }

  /** The hooks to register, authentication first. */
  get hooks(): Hook[] {
    return [this.password, this.acl].filter((hook): hook is PasswordHook | AclHook => hook !== undefined);
  }

  /** True when there is a file to reload. */
  get hasFiles(): boolean {
    return this.config.passwordFile !== undefined || this.config.aclFile !== undefined;
  }

  /** Puts freshly read files in force, both at once (one synchronous step: no check sees half). */
  apply(files: AuthFiles): void {
    if (files.passwords !== undefined) this.password?.replace(files.passwords);
    if (files.acl !== undefined) this.acl?.replace(files.acl);
  }

  /** What is in force, for logs. */
  describe(): Record<string, unknown> {
    return {
      passwordFile: this.config.passwordFile ?? null,
      users: this.password?.userCount ?? null,
      allowAnonymous: allowsAnonymous(this.config),
      aclFile: this.config.aclFile ?? null,
      aclRules: this.acl?.current.ruleCount ?? null,
    };
  }
}

/** What an `AuthReloader` works on besides the hooks. */
export interface AuthReloaderOptions {
  /**
   * The broker whose subscriptions a reloaded ACL judges: those it no longer allows are revoked, as
   * Mosquitto's read checks at delivery would stop them. Without it, only new SUBSCRIBEs see the file.
   */
  subscriptions?: SubscriptionOwner;
  /** Told the outcome of each reload. */
  onResult?: (ok: boolean) => void;
}

/**
 * Serialises reloads: a SIGHUP during a reload runs one more reload after it. After a successful
 * reload with an ACL file, existing subscriptions the new file no longer allows are revoked; a failed
 * reload changes nothing.
 */
export class AuthReloader {
  private running: Promise<boolean> | undefined;
  private again = false;
  private readonly auth: AuthHooks;
  private readonly logger: Logger;
  private readonly subscriptions: SubscriptionOwner | undefined;
  private readonly onResult: (ok: boolean) => void;

  constructor(auth: AuthHooks, logger: Logger, options: AuthReloaderOptions = {}) {
    this.auth = auth;
    this.logger = logger;
    this.subscriptions = options.subscriptions;
    this.onResult = options.onResult ?? (() => {});
  }

  /** Reloads the password and ACL files; resolves true when new files are in force. */
  reload(): Promise<boolean> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.running;
  }

  private async run(): Promise<boolean> {
    if (!this.auth.hasFiles) return true;
    try {
      const files = await readAuthFiles(this.auth.config);
      this.auth.apply(files);
      this.logger.info(this.auth.describe(), 'SIGHUP: password and ACL files reloaded');
      this.revokeDisallowed();
      this.onResult(true);
      return true;
    } catch (error) {
      const problems = error instanceof AuthFileError ? error.problems : [String(error)];
      this.logger.error({ problems }, 'SIGHUP: reload failed; the files in force stay in force');
      this.onResult(false);
      return false;
    }
  }

  /** Takes back the subscriptions the ACL now in force does not allow, in the same turn as the swap. */
  private revokeDisallowed(): void {
    const acl = this.auth.acl;
    if (acl === undefined || this.subscriptions === undefined) return;
    const { checked, revoked, unchecked } = acl.revokeDisallowed(this.subscriptions);
    this.logger.info(
      { checked, revoked },
      'SIGHUP: subscriptions checked against the reloaded ACL; those it does not allow are revoked',
    );
    if (unchecked > 0) {
      this.logger.warn(
        { unchecked },
        'SIGHUP: subscriptions of sessions loaded from the store were not checked; their user names are not known until their clients reconnect',
      );
    }
  }
}

/**
 * Counters the app keeps beside `broker.stats`, for `$SYS` and metrics: sessions expired (from the
 * broker's `onSessionExpired` notification) and reloads of the password and ACL files.
 */
import type { Hook } from '@mqttkit/broker';

/** A notification hook counting session expiries, plus the reload counters. */
export class OpsCounters implements Hook {
  readonly id = 'ops-counters';
  /** Disconnected sessions that reached their expiry since start. */
  sessionsExpired = 0;
  /** SIGHUP reloads that put new files in force. */
  reloadsSucceeded = 0;
  /** SIGHUP reloads refused (the files in force stayed). */
  reloadsFailed = 0;

  onSessionExpired(): void {
    this.sessionsExpired++;
  }
}

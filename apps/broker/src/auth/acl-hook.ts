/**
 * The broker hook that enforces the ACL file. Both checks answer synchronously from the compiled
 * `Acl` (no promise per PUBLISH, style guide R8); `replace` swaps in a reloaded file atomically, and
 * `revokeDisallowed` then takes back the subscriptions it no longer allows.
 */
import type {
  AuthorizePublishEvent,
  AuthorizeSubscribeEvent,
  Decision,
  Hook,
  Logger,
  SessionSubscription,
} from '@mqttkit/broker';
import type { Acl, AclClient } from './acl-file.js';

/** Denials since start, for metrics. */
export interface AclDenials {
  publish: number;
  subscribe: number;
}

/** What revocation needs of the broker; `Broker` has both methods. */
export interface SubscriptionOwner {
  sessionSubscriptions(): Iterable<SessionSubscription>;
  revokeSubscription(clientId: string, topicFilter: string): boolean;
}

/** What one `revokeDisallowed` pass did. */
export interface Revocations {
  /** Subscriptions checked against the ACL. */
  checked: number;
  /** Subscriptions the ACL no longer allows, now removed. */
  revoked: number;
  /** Subscriptions of sessions whose user name is unknown (loaded from a store), left as they are. */
  unchecked: number;
}

/** Enforces an ACL: PUBLISH (and wills) need write access, SUBSCRIBE read access. */
export class AclHook implements Hook {
  readonly id = 'acl-file';
  readonly denials: AclDenials = { publish: 0, subscribe: 0 };
  private acl: Acl;
  private readonly logger: Logger;

  constructor(acl: Acl, logger: Logger) {
    this.acl = acl;
    this.logger = logger;
  }

  /** The ACL in force. */
  get current(): Acl {
    return this.acl;
  }

  /** Puts a reloaded ACL in force; checks from now on use it. */
  replace(acl: Acl): void {
    this.acl = acl;
  }

  authorizePublish(event: AuthorizePublishEvent): Decision {
    if (this.acl.canPublish(event.client, event.topic)) return 'allow';
    this.denials.publish++;
    this.logger.debug(
      {
        clientId: event.client.id,
        username: event.client.username,
        topic: event.topic,
        isWill: event.isWill,
      },
      'ACL: publish denied',
    );
    return 'deny';
  }

  authorizeSubscribe(event: AuthorizeSubscribeEvent): Decision {
    if (this.acl.canSubscribe(event.client, event.topicFilter)) return 'allow';
    this.denials.subscribe++;
    this.logger.debug(
      { clientId: event.client.id, username: event.client.username, topicFilter: event.topicFilter },
      'ACL: subscribe denied',
    );
    return 'deny';
  }

  /**
   * Revokes every subscription, of connected and offline sessions, that the ACL in force would refuse
   * if it were made now: the SUBSCRIBE decision (`canSubscribe`), asked for the session's client id
   * and the user name it last connected with. The file's rules do not depend on QoS, so the granted QoS
   * is not asked about. The clients are not told (MQTT has no server-initiated UNSUBSCRIBE); they just
   * receive nothing more on those filters, and messages queued only for them are dropped.
   *
   * A session loaded from a store whose client has not connected since has no known user name: its
   * subscriptions are counted as `unchecked` rather than judged as anonymous.
   */
  revokeDisallowed(owner: SubscriptionOwner): Revocations {
    const result: Revocations = { checked: 0, revoked: 0, unchecked: 0 };
    let client: AclClient | undefined;
    for (const subscription of owner.sessionSubscriptions()) {
      if (!subscription.isUsernameKnown) {
        result.unchecked++;
        continue;
      }
      result.checked++;
      // A session's subscriptions come together: one identity object each, on which the ACL caches
      // the session's rule set, instead of building it per subscription.
      if (client === undefined || client.id !== subscription.clientId) {
        client = { id: subscription.clientId, username: subscription.username };
      }
      if (this.acl.canSubscribe(client, subscription.topicFilter)) continue;
      if (!owner.revokeSubscription(subscription.clientId, subscription.topicFilter)) continue;
      result.revoked++;
      this.logger.debug(
        {
          clientId: subscription.clientId,
          username: subscription.username,
          topicFilter: subscription.topicFilter,
          connected: subscription.isConnected,
        },
        'ACL: subscription revoked',
      );
    }
    return result;
  }
}

/**
 * The broker hook that enforces the ACL file. Both checks answer synchronously from the compiled
 * `Acl` (no promise per PUBLISH, style guide R8); `replace` swaps in a reloaded file atomically.
 */
import type { AuthorizePublishEvent, AuthorizeSubscribeEvent, Decision, Hook, Logger } from '@mqttkit/broker';
import type { Acl } from './acl-file.js';

/** Denials since start, for metrics. */
export interface AclDenials {
  publish: number;
  subscribe: number;
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
}

import type { SubscriptionRecord } from '@mqttkit/session-store';
import { parseSharedSubscription, validateTopicFilter } from '@mqttkit/topic';
import {
  MqttError,
  ReasonCode,
  SUBACK_REASON_CODES,
  type SubackPacket,
  type SubscribePacket,
  type Subscription,
  type UnsubackReasonCode,
  type UnsubscribePacket,
} from '@mqttkit/types';
import type { Decision, MaybePromise } from '../hooks/hook.js';
import { isPromise } from '../hooks/hook-registry.js';
import type { Connection } from './connection.js';

/** One filter of a SUBSCRIBE after the checks that need no hook. */
interface FilterPlan {
  readonly subscription: Subscription;
  /** A v5 failure reason code decided already, or undefined when the filter may be subscribed. */
  readonly refused: number | undefined;
  readonly isShared: boolean;
}

/** 3.1.1 has one failure return code for every refusal [MQTT-3.9.3-2]. */
const FAILURE_3X = 0x80;

/**
 * SUBSCRIBE: check each filter, ask the ACL hooks, subscribe, answer SUBACK with one code per filter
 * in order [MQTT-3.8.4-6], then send matching retained messages as the Retain Handling option says.
 */
export function handleSubscribe(conn: Connection, packet: SubscribePacket): void {
  const limits = conn.limits;
  if (packet.properties?.subscriptionIdentifier !== undefined && !limits.subscriptionIdentifiersAvailable) {
    // A protocol error answered with DISCONNECT 0xA1 (5.0 section 3.2.2.3.12).
    conn.failWith(
      new MqttError('SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED', 'subscription identifiers are not available'),
    );
    return;
  }
  const plans: FilterPlan[] = [];
  for (const subscription of packet.subscriptions) {
    const plan = planFilter(conn, subscription);
    if (MqttError.isInstance(plan)) {
      conn.failWith(plan);
      return;
    }
    plans.push(plan);
  }
  const hooks = conn.core.hooks;
  if (!hooks.has('authorizeSubscribe')) {
    subscribe(conn, packet, plans, undefined);
    return;
  }
  const decisions: MaybePromise<Decision>[] = plans.map((plan) =>
    plan.refused !== undefined
      ? 'deny'
      : hooks.authorizeSubscribe({
          client: conn.info,
          topicFilter: plan.subscription.topicFilter,
          qos: plan.subscription.qos,
        }),
  );
  if (!decisions.some(isPromise)) {
    subscribe(conn, packet, plans, decisions as Decision[]);
    return;
  }
  conn.suspend();
  void Promise.all(decisions).then((answers) => {
    if (conn.state !== 'closed') subscribe(conn, packet, plans, answers);
    conn.resume();
  });
}

/**
 * The checks on one filter that need no hook. Returns an error for violations that close the
 * connection, else a plan that may carry a refusal code.
 */
function planFilter(conn: Connection, subscription: Subscription): FilterPlan | MqttError {
  const limits = conn.limits;
  const isV5 = conn.protocolVersion === 5;
  const refuse = (code: number): FilterPlan => ({ subscription, refused: code, isShared: false });
  const shared = parseSharedSubscription(subscription.topicFilter);
  if (MqttError.isInstance(shared)) return isV5 ? refuse(ReasonCode.TopicFilterInvalid) : refuse(FAILURE_3X);
  const filter = shared === undefined ? subscription.topicFilter : shared.topicFilter;
  const invalid = validateTopicFilter(filter, {
    maximumLength: limits.maximumTopicLength,
    maximumLevels: limits.maximumTopicLevels,
  });
  if (invalid !== undefined) {
    // v5 answers 0x8F per filter; 3.1.1 has no code for it, a protocol violation closes [MQTT-4.8.0-1].
    return isV5 ? refuse(ReasonCode.TopicFilterInvalid) : invalid;
  }
  if (shared !== undefined) {
    if (isV5 && subscription.noLocal === true) {
      // No Local on a shared subscription is a protocol error [MQTT-3.8.3-4].
      return new MqttError('PROTOCOL_ERROR', 'No Local set on a shared subscription', {
        specRef: 'MQTT-3.8.3-4',
      });
    }
    if (!limits.sharedSubscriptionAvailable) {
      // CONNACK said Shared Subscription Available 0: a v5 client breaking that is a protocol error
      // answered with DISCONNECT 0x9E (5.0 section 3.2.2.3.13). A 3.x client cannot know; it gets 0x80.
      return isV5
        ? new MqttError('SHARED_SUBSCRIPTIONS_NOT_SUPPORTED', 'shared subscriptions are not available')
        : refuse(FAILURE_3X);
    }
  }
  // A valid filter holds '+' or '#' only as whole levels, so a character test finds the wildcards.
  if (!limits.wildcardSubscriptionAvailable && (filter.includes('+') || filter.includes('#'))) {
    // Likewise DISCONNECT 0xA2 for v5 (5.0 section 3.2.2.3.11), 0x80 for 3.x.
    return isV5
      ? new MqttError('WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED', 'wildcard subscriptions are not available')
      : refuse(FAILURE_3X);
  }
  return { subscription, refused: undefined, isShared: shared !== undefined };
}

function subscribe(
  conn: Connection,
  packet: SubscribePacket,
  plans: readonly FilterPlan[],
  decisions: readonly Decision[] | undefined,
): void {
  const core = conn.core;
  const session = conn.session!;
  const isV5 = conn.protocolVersion === 5;
  const subscriptionIdentifier = packet.properties?.subscriptionIdentifier;
  const codes: number[] = [];
  const sendRetained: SubscriptionRecord[] = [];
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i]!;
    const decision = decisions?.[i] ?? 'allow';
    if (plan.refused !== undefined) {
      codes.push(plan.refused);
      continue;
    }
    if (decision !== 'allow') {
      codes.push(
        isV5
          ? typeof decision === 'object'
            ? failureCode(decision.deny)
            : ReasonCode.NotAuthorized
          : FAILURE_3X,
      );
      continue;
    }
    const { topicFilter } = plan.subscription;
    if (
      session.subscriptions.size >= conn.limits.maximumSubscriptionsPerClient &&
      !session.subscriptions.has(topicFilter)
    ) {
      codes.push(isV5 ? ReasonCode.QuotaExceeded : FAILURE_3X);
      continue;
    }
    const record = subscriptionRecord(plan.subscription, conn.limits.maximumQoS, subscriptionIdentifier);
    const isNew = core.router.subscribe(session, record);
    session.subscriptions.set(topicFilter, record);
    core.sessions.persistSubscription(session, record);
    codes.push(record.qos);
    // Retained messages: never for shared subscriptions; Retain Handling 1 only for a new one
    // [MQTT-3.3.1-10 (v5)], 2 never; 3.1.1 always re-sends them [MQTT-3.8.4-3].
    if (!plan.isShared && (record.retainHandling === 0 || (record.retainHandling === 1 && isNew))) {
      sendRetained.push(record);
    }
  }
  const suback: SubackPacket = {
    type: 'suback',
    packetId: packet.packetId,
    reasonCodes: codes as SubackPacket['reasonCodes'],
  };
  conn.writePacket(suback);
  const now = core.clock.now();
  for (const record of sendRetained) {
    const ids = record.subscriptionIdentifier === undefined ? undefined : [record.subscriptionIdentifier];
    for (const message of core.router.retainedMatching(record.topicFilter, now)) {
      // Sent because of a new subscription: RETAIN stays set [MQTT-3.3.1-8].
      session.deliver(message, message.qos < record.qos ? message.qos : record.qos, true, ids);
    }
  }
  if (core.hooks.has('onSubscribed')) {
    core.hooks.notify('onSubscribed', {
      client: conn.info,
      subscriptions: plans.map((plan, i) => ({
        topicFilter: plan.subscription.topicFilter,
        reasonCode: codes[i]!,
      })),
    });
  }
}

const subackCodes: ReadonlySet<number> = new Set(SUBACK_REASON_CODES);

/**
 * A hook's deny code as a SUBACK failure code: one SUBACK allows [MQTT-3.9.3-2] and at least 0x80 (a
 * lower one would read as a granted QoS); anything else becomes 0x80 Unspecified error.
 */
function failureCode(code: number): number {
  return code >= 0x80 && subackCodes.has(code) ? code : ReasonCode.UnspecifiedError;
}

function subscriptionRecord(
  subscription: Subscription,
  maximumQoS: 0 | 1 | 2,
  subscriptionIdentifier: number | undefined,
): SubscriptionRecord {
  const record: SubscriptionRecord = {
    topicFilter: subscription.topicFilter,
    // The broker may grant less than asked, never more than it supports (section 3.9.3).
    qos: subscription.qos < maximumQoS ? subscription.qos : maximumQoS,
    noLocal: subscription.noLocal ?? false,
    retainAsPublished: subscription.retainAsPublished ?? false,
    retainHandling: subscription.retainHandling ?? 0,
  };
  if (subscriptionIdentifier !== undefined) record.subscriptionIdentifier = subscriptionIdentifier;
  return record;
}

/** UNSUBSCRIBE: remove each filter and answer UNSUBACK, with a code per filter in v5. */
export function handleUnsubscribe(conn: Connection, packet: UnsubscribePacket): void {
  const core = conn.core;
  const session = conn.session!;
  const isV5 = conn.protocolVersion === 5;
  const codes: UnsubackReasonCode[] = [];
  for (const topicFilter of packet.topicFilters) {
    const shared = parseSharedSubscription(topicFilter);
    const inner = shared === undefined || MqttError.isInstance(shared) ? topicFilter : shared.topicFilter;
    const invalid = MqttError.isInstance(shared) ? shared : validateTopicFilter(inner);
    if (invalid !== undefined) {
      if (!isV5) {
        conn.failWith(invalid);
        return;
      }
      codes.push(ReasonCode.TopicFilterInvalid);
      continue;
    }
    const existed = core.router.unsubscribe(session, topicFilter);
    if (session.subscriptions.delete(topicFilter)) core.sessions.persistUnsubscribe(session, topicFilter);
    // [MQTT-3.10.4-5]: UNSUBACK even when nothing was subscribed; v5 says so with 0x11.
    codes.push(existed ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted);
  }
  conn.writePacket(
    isV5
      ? { type: 'unsuback', packetId: packet.packetId, reasonCodes: codes }
      : { type: 'unsuback', packetId: packet.packetId },
  );
  if (core.hooks.has('onUnsubscribed')) {
    core.hooks.notify('onUnsubscribed', { client: conn.info, topicFilters: packet.topicFilters });
  }
}

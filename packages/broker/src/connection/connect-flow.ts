import { randomUUID } from 'node:crypto';
import { validateTopicName } from '@mqttkit/topic';
import { type ConnackProperties, type ConnectPacket, MqttError, ReasonCode } from '@mqttkit/types';
import type { AuthenticateResult } from '../hooks/hook.js';
import { isPromise } from '../hooks/hook-registry.js';
import { startEnhancedAuth } from './auth-flow.js';
import type { Connection } from './connection.js';
import { connectReturnCodeFor } from './error-answer.js';
import { isSysTopic } from './inbound-publish.js';
import { InboundTopicAliases, OutboundTopicAliases } from './topic-aliases.js';

/** Longest client id MQTT 3.1 allows [MQTT 3.1, section 3.1 "Client Identifier"]. */
const MQTT31_MAX_CLIENT_ID = 23;

/**
 * CONNECT: check what the broker can decide alone, then ask the authentication hooks (or start an
 * MQTT 5.0 AUTH exchange) and, when they allow, accept (`acceptConnect`).
 */
export function handleConnect(conn: Connection, packet: ConnectPacket): void {
  const version = packet.protocolVersion;
  conn.protocolVersion = version;
  conn.client.protocolVersion = version;
  conn.decoder.setProtocolVersion(version);
  conn.state = 'authenticating';
  conn.client.username = conn.originUsername ?? packet.username;
  if (version === 5 && packet.properties?.maximumPacketSize !== undefined) {
    conn.clientMaximumPacketSize = packet.properties.maximumPacketSize;
  }

  const refusal = checkConnect(conn, packet);
  if (refusal !== undefined) {
    conn.failWith(refusal, refusal.code === 'PROTOCOL_ERROR' ? 'protocol-error' : 'not-authorized');
    return;
  }
  if (version === 5 && packet.properties?.authenticationMethod !== undefined) {
    startEnhancedAuth(conn, packet);
    return;
  }
  const hooks = conn.core.hooks;
  if (!hooks.has('authenticate')) {
    acceptConnect(conn, packet, undefined);
    return;
  }
  const result = hooks.authenticate({
    client: conn.info,
    packet,
    username: conn.client.username,
    password: packet.password,
  });
  if (!isPromise(result)) {
    applyAuthentication(conn, packet, result);
    return;
  }
  conn.suspend();
  void result.then((answer) => {
    applyAuthentication(conn, packet, answer);
    conn.resume();
  });
}

function applyAuthentication(conn: Connection, packet: ConnectPacket, result: AuthenticateResult): void {
  if (conn.state === 'closed') return;
  if (typeof result === 'object' && 'allow' in result) {
    if (result.username !== undefined) conn.client.username = result.username;
    acceptConnect(conn, packet, undefined);
    return;
  }
  if (result === 'allow') {
    acceptConnect(conn, packet, undefined);
    return;
  }
  // Denied: a user name that did not check out is a bad credential, no user name is not authorized.
  // A hook's own code that 3.1.1 has no return code for is "not authorized" there: a refusal a 3.x
  // client can read, rather than a socket closed without CONNACK.
  const code =
    typeof result === 'object'
      ? conn.protocolVersion === 5 || connectReturnCodeFor(result.deny) !== undefined
        ? result.deny
        : ReasonCode.NotAuthorized
      : packet.username !== undefined
        ? ReasonCode.BadUserNameOrPassword
        : ReasonCode.NotAuthorized;
  const message =
    typeof result === 'object' && result.reasonString !== undefined
      ? result.reasonString
      : 'authentication failed';
  conn.failWith(MqttError.fromReasonCode(code, message), 'not-authorized');
}

/** The checks on CONNECT that need no hook; a refusal is returned as the error to answer with. */
function checkConnect(conn: Connection, packet: ConnectPacket): MqttError | undefined {
  const core = conn.core;
  const limits = conn.limits;
  const version = packet.protocolVersion;
  const idLength = Buffer.byteLength(packet.clientId);
  if (version === 3 && (idLength === 0 || idLength > MQTT31_MAX_CLIENT_ID)) {
    return new MqttError('CLIENT_IDENTIFIER_NOT_VALID', 'MQTT 3.1 client ids are 1 to 23 characters');
  }
  if (version === 4 && idLength === 0 && !packet.clean) {
    // A 3.1.1 client with an empty id must ask for a clean session [MQTT-3.1.3-8].
    return new MqttError('CLIENT_IDENTIFIER_NOT_VALID', 'an empty client id needs clean session', {
      specRef: 'MQTT-3.1.3-8',
    });
  }
  if (idLength > limits.maximumClientIdLength) {
    return new MqttError(
      'CLIENT_IDENTIFIER_NOT_VALID',
      `client id longer than ${limits.maximumClientIdLength} bytes`,
    );
  }
  if (conn.overConnectionRate) {
    core.stats.connectionsRateLimited++;
    return new MqttError('CONNECTION_RATE_EXCEEDED', 'new connections arrive faster than the broker allows');
  }
  // A client taking over its own connection does not add one, so it is not refused at the limit:
  // it may be replacing a half-open connection the broker has not noticed yet.
  if (
    core.stats.clientsConnected >= limits.maximumConnections &&
    core.sessions.get(packet.clientId)?.link === undefined
  ) {
    return new MqttError('SERVER_BUSY', 'connection limit reached');
  }
  const will = packet.will;
  if (will !== undefined) {
    const invalid = validateTopicName(will.topic, {
      maximumLength: limits.maximumTopicLength,
      maximumLevels: limits.maximumTopicLevels,
    });
    if (invalid !== undefined) {
      return version === 5
        ? invalid
        : new MqttError('PROTOCOL_ERROR', `invalid will topic: ${invalid.message}`);
    }
    if (isSysTopic(will.topic)) {
      // A will is a publication by the client, and clients may not publish into the broker's $SYS
      // tree (a retained will there would stand in for the broker's own values); as Mosquitto does,
      // refuse the CONNECT as not authorized.
      return new MqttError('NOT_AUTHORIZED', 'a will may not be published under $SYS');
    }
    if (will.qos > limits.maximumQoS) {
      // [MQTT-3.2.2-12]: a will QoS above Maximum QoS is refused with 0x9B.
      return new MqttError('QOS_NOT_SUPPORTED', `will QoS ${will.qos} above maximum ${limits.maximumQoS}`, {
        specRef: 'MQTT-3.2.2-12',
      });
    }
    if (will.retain && !limits.retainAvailable) {
      return new MqttError('RETAIN_NOT_SUPPORTED', 'retained wills are not available', {
        specRef: 'MQTT-3.2.2-13',
      });
    }
  }
  return undefined;
}

/**
 * The client is authenticated: take over or create its session, send CONNACK, start keepalive, and
 * resend what the session had in flight.
 */
export function acceptConnect(
  conn: Connection,
  packet: ConnectPacket,
  authenticationData: Uint8Array | undefined,
): void {
  if (conn.state === 'closed') return;
  const core = conn.core;
  const limits = conn.limits;
  const version = packet.protocolVersion;
  const properties = packet.properties;

  // An empty id gets one assigned [MQTT-3.1.3-6]; v5 tells the client which [MQTT-3.2.2-16].
  const assigned = packet.clientId.length === 0;
  const clientId = assigned ? `mqttkit-${randomUUID()}` : packet.clientId;
  conn.client.id = clientId;

  const requestedExpiry = version === 5 ? (properties?.sessionExpiryInterval ?? 0) : undefined;
  const expiry =
    requestedExpiry !== undefined
      ? Math.min(requestedExpiry, limits.maximumSessionExpiryInterval)
      : packet.clean
        ? 0
        : limits.persistentSessionExpiryInterval;

  const { session, present } = core.sessions.open(
    conn,
    clientId,
    conn.client.username,
    version,
    packet.clean,
    expiry,
  );
  conn.session = session;
  conn.will =
    packet.will === undefined ? undefined : { ...packet.will, payload: packet.will.payload.slice() };

  let keepAlive = packet.keepAlive;
  let serverKeepAlive: number | undefined;
  if (
    version === 5 &&
    limits.maximumKeepAlive > 0 &&
    (keepAlive === 0 || keepAlive > limits.maximumKeepAlive)
  ) {
    // The client must use the Server Keep Alive instead of its own [MQTT-3.2.2-21].
    serverKeepAlive = limits.maximumKeepAlive;
    keepAlive = serverKeepAlive;
  }

  if (version === 5) {
    conn.sendQuota = Math.min(properties?.receiveMaximum ?? 65_535, limits.maximumInflight);
    conn.v5 = {
      problemInformation: properties?.requestProblemInformation ?? true,
      connectSessionExpiry: requestedExpiry ?? 0,
      inboundAliases:
        limits.topicAliasMaximum > 0 ? new InboundTopicAliases(limits.topicAliasMaximum) : undefined,
      outboundAliases: undefined,
    };
    const clientAliasMaximum = properties?.topicAliasMaximum ?? 0;
    if (clientAliasMaximum > 0) conn.v5.outboundAliases = new OutboundTopicAliases(clientAliasMaximum);
  }

  const connack: ConnackProperties | undefined =
    version === 5
      ? connackProperties(conn, packet, {
          assignedClientIdentifier: assigned ? clientId : undefined,
          sessionExpiryInterval:
            requestedExpiry !== undefined && requestedExpiry !== expiry ? expiry : undefined,
          serverKeepAlive,
          authenticationData,
        })
      : undefined;
  const sessionPresent = present && !packet.clean;
  // MQTT 3.1 has no Session Present flag: that CONNACK byte is reserved there and stays 0.
  const flag = sessionPresent && version !== 3;
  conn.writePacket(
    connack === undefined
      ? { type: 'connack', sessionPresent: flag, reasonCode: 0 }
      : { type: 'connack', sessionPresent: flag, reasonCode: 0, properties: connack },
  );
  conn.state = 'connected';
  conn.connackSent = true;
  core.stats.clientConnected();
  conn.startKeepAlive(keepAlive);
  core.hooks.notify('onConnected', { client: conn.info, sessionPresent });
  session.resume();
}

/** The CONNACK properties: one source, the limits, so what is advertised is what is enforced (R11). */
function connackProperties(
  conn: Connection,
  packet: ConnectPacket,
  extra: {
    assignedClientIdentifier: string | undefined;
    sessionExpiryInterval: number | undefined;
    serverKeepAlive: number | undefined;
    authenticationData: Uint8Array | undefined;
  },
): ConnackProperties {
  const limits = conn.limits;
  const properties: ConnackProperties = {
    receiveMaximum: limits.receiveMaximum,
    maximumPacketSize: limits.maximumPacketSize,
    retainAvailable: limits.retainAvailable,
    wildcardSubscriptionAvailable: limits.wildcardSubscriptionAvailable,
    subscriptionIdentifiersAvailable: limits.subscriptionIdentifiersAvailable,
    sharedSubscriptionAvailable: limits.sharedSubscriptionAvailable,
  };
  if (limits.topicAliasMaximum > 0) properties.topicAliasMaximum = limits.topicAliasMaximum;
  if (limits.maximumQoS < 2) properties.maximumQoS = limits.maximumQoS as 0 | 1;
  if (extra.assignedClientIdentifier !== undefined)
    properties.assignedClientIdentifier = extra.assignedClientIdentifier;
  if (extra.sessionExpiryInterval !== undefined)
    properties.sessionExpiryInterval = extra.sessionExpiryInterval;
  if (extra.serverKeepAlive !== undefined) properties.serverKeepAlive = extra.serverKeepAlive;
  if (packet.properties?.requestResponseInformation === true) {
    const responseInformation = conn.core.responseInformation(conn.client.id);
    if (responseInformation !== undefined) properties.responseInformation = responseInformation;
  }
  if (conn.auth !== undefined) {
    properties.authenticationMethod = conn.auth.method;
    if (extra.authenticationData !== undefined) properties.authenticationData = extra.authenticationData;
  }
  return properties;
}

import {
  type AuthPacket,
  type AuthProperties,
  type ConnectPacket,
  MqttError,
  ReasonCode,
} from '@mqttkit/types';
import type { EnhancedAuthResult } from '../hooks/hook.js';
import { isPromise } from '../hooks/hook-registry.js';
import { acceptConnect } from './connect-flow.js';
import type { Connection, EnhancedAuthState } from './connection.js';

/**
 * MQTT 5.0 enhanced authentication (section 4.12). A CONNECT with an Authentication Method starts an
 * exchange of AUTH packets driven by the `authenticateEnhanced` hooks:
 *
 *   CONNECT(method, data) ─► hook ─┬─ continue ─► AUTH 0x18 ◄─► AUTH 0x18 from client ─► hook ─ …
 *                                  ├─ allow ────► CONNACK 0x00 (method, data)
 *                                  └─ deny ─────► CONNACK with the reason code, close
 * Once connected, AUTH 0x19 from the client re-authenticates the same way, ending in AUTH 0x00 or a
 * DISCONNECT.
 */
export function startEnhancedAuth(conn: Connection, packet: ConnectPacket): void {
  const method = packet.properties!.authenticationMethod!;
  conn.auth = { method, step: 0, reauthenticating: false, pendingConnect: packet };
  runStep(conn, conn.auth, packet.properties?.authenticationData, false);
}

/** An AUTH packet from the client, during CONNECT or to re-authenticate. */
export function handleAuth(conn: Connection, packet: AuthPacket): void {
  const method = packet.properties?.authenticationMethod;
  const reasonCode = packet.reasonCode ?? 0;
  const auth = conn.auth;
  if (auth === undefined) {
    // AUTH without an Authentication Method in CONNECT is a protocol error (section 4.12).
    conn.failWith(new MqttError('PROTOCOL_ERROR', 'AUTH received but CONNECT had no Authentication Method'));
    return;
  }
  if (method !== auth.method) {
    // The method must stay the same throughout [MQTT-4.12.0-5].
    conn.failWith(
      new MqttError('PROTOCOL_ERROR', 'AUTH with a different Authentication Method', {
        specRef: 'MQTT-4.12.0-5',
      }),
    );
    return;
  }
  const connecting = conn.state === 'authenticating';
  // Within an exchange the client answers with 0x18 [MQTT-4.12.0-3]; a new one starts with 0x19 [MQTT-4.12.1-1].
  const continuing = connecting || auth.reauthenticating;
  const expected = continuing ? ReasonCode.ContinueAuthentication : ReasonCode.ReAuthenticate;
  if (reasonCode !== expected) {
    conn.failWith(
      new MqttError('PROTOCOL_ERROR', `unexpected AUTH reason code 0x${reasonCode.toString(16)}`),
    );
    return;
  }
  if (continuing) {
    auth.step++;
  } else {
    // AUTH 0x19 starts a re-authentication: step 0 again, as CONNECT was for the first exchange.
    auth.step = 0;
    auth.reauthenticating = true;
  }
  runStep(conn, auth, packet.properties?.authenticationData, !connecting);
}

function runStep(
  conn: Connection,
  auth: EnhancedAuthState,
  data: Uint8Array | undefined,
  reauthenticate: boolean,
): void {
  const result = conn.core.hooks.authenticateEnhanced({
    client: conn.info,
    method: auth.method,
    data,
    step: auth.step,
    reauthenticate,
  });
  if (!isPromise(result)) {
    applyStep(conn, auth, result, reauthenticate);
    return;
  }
  conn.suspend();
  void result.then((answer) => {
    applyStep(conn, auth, answer, reauthenticate);
    conn.resume();
  });
}

function applyStep(
  conn: Connection,
  auth: EnhancedAuthState,
  result: EnhancedAuthResult | 'deny',
  reauthenticate: boolean,
): void {
  if (conn.state === 'closed') return;
  const method = auth.method;
  if (result === 'defer') {
    // No hook knows this method [MQTT-4.12.0-1]: 0x8C Bad authentication method.
    conn.failWith(
      new MqttError('BAD_AUTHENTICATION_METHOD', `no authenticator for method "${method}"`),
      'not-authorized',
    );
    return;
  }
  if (result === 'deny' || 'deny' in result) {
    const code = result === 'deny' ? ReasonCode.NotAuthorized : result.deny;
    const text =
      result !== 'deny' && result.reasonString !== undefined ? result.reasonString : 'authentication failed';
    conn.failWith(MqttError.fromReasonCode(code, text), 'not-authorized');
    return;
  }
  if ('continue' in result) {
    conn.writePacket({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: authProperties(method, result.data),
    });
    return;
  }
  if (result.username !== undefined) {
    conn.client.username = result.username;
    // Re-authentication: the session judged later (ACL reloads) must see the new user name.
    if (conn.session !== undefined) conn.session.username = result.username;
  }
  auth.step = 0;
  auth.reauthenticating = false;
  if (!reauthenticate) {
    const packet = auth.pendingConnect!;
    auth.pendingConnect = undefined;
    acceptConnect(conn, packet, result.data);
    return;
  }
  conn.writePacket({
    type: 'auth',
    reasonCode: ReasonCode.Success,
    properties: authProperties(method, result.data),
  });
}

function authProperties(method: string, data: Uint8Array | undefined): AuthProperties {
  return data === undefined
    ? { authenticationMethod: method }
    : { authenticationMethod: method, authenticationData: data };
}

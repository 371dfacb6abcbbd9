import { encode } from '@mqttkit/codec';
import {
  type AuthPacket,
  type AuthProperties,
  type AuthReasonCode,
  type ConnackPacket,
  type ConnectProperties,
  MqttError,
  ReasonCode,
} from '@mqttkit/types';
import type { FlowContext } from './flow-context.js';

/** What comes with a server challenge, for the `auth.onChallenge` handler. */
export interface AuthChallengeContext {
  /** 1 for the first AUTH 0x18 of an exchange, 2 for the next, ... */
  readonly step: number;
  /** True within `reauthenticate()`, false while connecting. */
  readonly isReauthentication: boolean;
  /** The server's AUTH (reason code 0x18; its properties hold the reason string and user properties). */
  readonly packet: AuthPacket;
}

/** What the auth flow reports to the session's owner. */
export interface AuthFlowOutput {
  /**
   * The server sent AUTH 0x18 (Continue authentication): the owner answers with
   * `answerChallenge(round, data)` once it has the data, however late.
   */
  authChallenge(data: Uint8Array | undefined, context: AuthChallengeContext, round: number): void;
  /** The server ended a re-authentication with AUTH 0x00 (Success). */
  reauthenticated(packet: AuthPacket): void;
}

type Phase = 'off' | 'connecting' | 'online' | 'reauthenticating';

/**
 * MQTT 5.0 enhanced authentication on the client side (sections 4.12 and 3.15), pure like the session.
 * Phases: `off` (no connection) → `connecting` (CONNECT carried the method; each server AUTH 0x18 is
 * answered with AUTH 0x18 until CONNACK) → `online` → `reauthenticate()` → `reauthenticating` (AUTH
 * 0x19 sent; AUTH 0x18 both ways; the server's AUTH 0x00 returns to `online`, its DISCONNECT ends it).
 *
 * The answer to a challenge may come later (the handler can be async). Each challenge gets a round
 * number, and an answer for an older round (the connection or the exchange moved on) is dropped.
 * Every AUTH the server sends is checked here; a broken rule is a protocol error (DISCONNECT 0x82).
 */
export class AuthFlow {
  readonly #ctx: FlowContext;
  readonly #method: string | undefined;
  readonly #out: AuthFlowOutput;
  #phase: Phase = 'off';
  #step = 0;
  #round = 0;
  /** A challenge waits for the answer of round `#round`. */
  #isAnswerDue = false;

  /** A flow for `method` (undefined: the client did not ask for enhanced authentication). */
  constructor(ctx: FlowContext, method: string | undefined, output: AuthFlowOutput) {
    this.#ctx = ctx;
    this.#method = method;
    this.#out = output;
  }

  /** True between `reauthenticate()` and the server's AUTH 0x00 or the end of the connection. */
  get isReauthenticating(): boolean {
    return this.#phase === 'reauthenticating';
  }

  /** A new connection: the CONNECT properties, with the Authentication Method and `data` added. */
  connecting(
    properties: ConnectProperties | undefined,
    data: Uint8Array | undefined,
  ): ConnectProperties | undefined {
    this.#enter('connecting');
    if (this.#method === undefined) return properties;
    const withMethod: ConnectProperties = { ...properties, authenticationMethod: this.#method };
    if (data !== undefined) withMethod.authenticationData = data;
    return withMethod;
  }

  /** Checks a successful CONNACK's Authentication Method; returns the protocol error it makes, if any. */
  accepted(connack: ConnackPacket): MqttError | undefined {
    const method = connack.properties?.authenticationMethod;
    if (method !== this.#method) {
      return this.#method === undefined
        ? // [MQTT-4.12.0-6] Without a method in CONNECT, none may come back in CONNACK.
          protocolError('CONNACK has an Authentication Method, but CONNECT had none', 'MQTT-4.12.0-6')
        : // [MQTT-4.12.0-5] A successful CONNACK repeats CONNECT's Authentication Method.
          protocolError(
            `CONNACK Authentication Method ${quote(method)} is not CONNECT's ${quote(this.#method)}`,
            'MQTT-4.12.0-5',
          );
    }
    this.#enter('online');
    return undefined;
  }

  /** An AUTH from the server: a challenge to answer, the end of a re-authentication, or a protocol error. */
  onAuth(packet: AuthPacket): void {
    const error = this.#check(packet);
    if (error !== undefined) {
      this.#ctx.protocolError(error);
      return;
    }
    if ((packet.reasonCode ?? 0) === ReasonCode.Success) {
      this.#enter('online');
      this.#out.reauthenticated(packet);
      return;
    }
    this.#step++;
    this.#round++;
    this.#isAnswerDue = true;
    const context = { step: this.#step, isReauthentication: this.#phase === 'reauthenticating', packet };
    this.#out.authChallenge(packet.properties?.authenticationData, context, this.#round);
  }

  /** True while the challenge of `round` waits for its answer. */
  isAnswerDue(round: number): boolean {
    return this.#isAnswerDue && round === this.#round;
  }

  /** Answers the challenge of `round` with AUTH 0x18 [MQTT-4.12.0-3]; false (nothing sent) when it is stale. */
  answerChallenge(round: number, data: Uint8Array | undefined): boolean {
    if (!this.isAnswerDue(round)) return false;
    this.#isAnswerDue = false;
    this.#write(ReasonCode.ContinueAuthentication, data);
    return true;
  }

  /** Starts a re-authentication with AUTH 0x19 [MQTT-4.12.1-1]; returns why it cannot, if it cannot. */
  reauthenticate(data: Uint8Array | undefined): MqttError | undefined {
    if (this.#method === undefined) {
      // [MQTT-4.12.0-7] No AUTH at all when CONNECT had no Authentication Method.
      return new MqttError('PROTOCOL_ERROR', 're-authentication needs the auth option (MQTT 5.0)', {
        specRef: 'MQTT-4.12.0-7',
      });
    }
    // Only after CONNACK [MQTT-4.12.1-1], and one exchange at a time.
    if (this.#phase !== 'online') {
      const why = this.#phase === 'reauthenticating' ? 'a re-authentication is in progress' : 'not connected';
      return new MqttError('UNSPECIFIED_ERROR', `cannot re-authenticate: ${why}`);
    }
    this.#enter('reauthenticating');
    this.#write(ReasonCode.ReAuthenticate, data);
    return undefined;
  }

  /** The connection is over: pending answers are dropped. */
  connectionLost(): void {
    this.#enter('off');
  }

  #enter(phase: Phase): void {
    this.#phase = phase;
    this.#step = 0;
    this.#round++;
    this.#isAnswerDue = false;
  }

  /** The rules a server AUTH must follow; the error of the first one broken. */
  #check(packet: AuthPacket): MqttError | undefined {
    const method = this.#method;
    // [MQTT-4.12.0-6] No AUTH from the server unless CONNECT had an Authentication Method.
    if (method === undefined)
      return protocolError('AUTH from the server, but CONNECT had no Authentication Method', 'MQTT-4.12.0-6');
    const got = packet.properties?.authenticationMethod;
    // [MQTT-4.12.0-5] Every AUTH carries CONNECT's Authentication Method.
    if (got !== method)
      return protocolError(
        `AUTH Authentication Method ${quote(got)} is not ${quote(method)}`,
        'MQTT-4.12.0-5',
      );
    const code = packet.reasonCode ?? 0;
    const isExchange = this.#phase === 'connecting' || this.#phase === 'reauthenticating';
    if (code === ReasonCode.ReAuthenticate) {
      // Section 4.12.1: only the client starts a re-authentication.
      return protocolError('AUTH 0x19 (Re-authenticate) from the server', undefined);
    }
    if (!isExchange)
      return protocolError(`AUTH 0x${hex(code)} outside an authentication exchange`, undefined);
    if (this.#isAnswerDue) {
      // Section 4.12: the exchange alternates; a second challenge came before the client's answer.
      return protocolError('AUTH from the server before the client answered the last one', undefined);
    }
    if (code === ReasonCode.Success && this.#phase === 'connecting') {
      // [MQTT-4.12.0-2] While connecting the server sends AUTH 0x18 only; CONNACK ends the exchange.
      return protocolError('AUTH 0x00 (Success) before CONNACK', 'MQTT-4.12.0-2');
    }
    return undefined;
  }

  #write(reasonCode: AuthReasonCode, data: Uint8Array | undefined): void {
    // [MQTT-4.12.0-5] Every AUTH carries CONNECT's Authentication Method.
    const properties: AuthProperties = { authenticationMethod: this.#method! };
    if (data !== undefined) properties.authenticationData = data;
    this.#ctx.write(encode({ type: 'auth', reasonCode, properties }, 5));
  }
}

function protocolError(message: string, specRef: string | undefined): MqttError {
  return new MqttError('PROTOCOL_ERROR', message, specRef === undefined ? {} : { specRef });
}

function quote(method: string | undefined): string {
  return method === undefined ? '(none)' : `'${method}'`;
}

function hex(code: number): string {
  return code.toString(16).padStart(2, '0');
}

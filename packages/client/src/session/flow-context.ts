import { type ConnackProperties, MqttError, type ProtocolVersion, type QoS } from '@mqttkit/types';

/** What the session's flow helpers share: the version, where packets and problems go. */
export interface FlowContext {
  readonly version: ProtocolVersion;
  /** Writes an encoded packet on the current connection. */
  write(frame: Uint8Array): void;
  /** Reports a problem not tied to a pending request. */
  error(error: Error): void;
  /** The server broke the protocol: the session closes the connection. */
  protocolError(error: MqttError): void;
}

/** What the server allows, from its CONNACK (v5 properties, defaults for what is absent or for 3.x). */
export interface ServerLimits {
  /** Unacknowledged QoS 1/2 PUBLISHes the server accepts at once (65,535 when not limited). */
  readonly receiveMaximum: number;
  /** The largest packet the server accepts, fixed header included (Infinity when not limited). */
  readonly maximumPacketSize: number;
  readonly maximumQoS: QoS;
  readonly retainAvailable: boolean;
  /** Topic aliases the client may use (0: none). */
  readonly topicAliasMaximum: number;
}

/** The limits a CONNACK's properties announce, with the spec's defaults for those absent (and for 3.x). */
export function serverLimits(p: ConnackProperties | undefined): ServerLimits {
  return {
    receiveMaximum: p?.receiveMaximum ?? 65535,
    maximumPacketSize: p?.maximumPacketSize ?? Number.POSITIVE_INFINITY,
    maximumQoS: p?.maximumQoS ?? 2,
    retainAvailable: p?.retainAvailable ?? true,
    topicAliasMaximum: p?.topicAliasMaximum ?? 0,
  };
}

/** A thrown value as an `MqttError` (the codec throws MqttError for rule breaks, TypeError for bad arguments). */
export function asMqttError(error: unknown): MqttError {
  if (MqttError.isInstance(error)) return error;
  return new MqttError('MALFORMED_PACKET', error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}

/** Store calls may be asynchronous: a rejection is reported through `onError`, never thrown into the protocol path. */
export function observe(result: void | Promise<void>, onError: (error: Error) => void): void {
  if (result !== undefined) {
    result.catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }
}

/**
 * JSON renderings of a received message: mqttkit's `--json` object, and mosquitto_sub's `%j` / `%J`.
 */
import type { PublishProperties } from '@mqttkit/types';
import { asBuffer, type MessageView, textOrBase64 } from './message-view.js';
import { mosquittoJsonTime } from './strftime.js';

/** The `--json` object for one message (see the README's "JSON formats"). */
export interface MessageJson {
  topic: string;
  payload: string;
  payloadEncoding: 'utf8' | 'base64';
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId?: number;
  properties?: PropertiesJson;
  /** ISO-8601 UTC arrival time with milliseconds. */
  received: string;
}

/** v5 PUBLISH properties as JSON: spec names in camelCase, user properties as ordered pairs. */
export interface PropertiesJson {
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: string;
  correlationDataEncoding?: 'utf8' | 'base64';
  topicAlias?: number;
  subscriptionIdentifiers?: number[];
  userProperties?: [string, string][];
}

/** Properties as JSON: binary correlation data follows the payload rule (text, or base64). */
export function propertiesToJson(properties: PublishProperties): PropertiesJson {
  const json: PropertiesJson = {};
  if (properties.payloadFormatIndicator !== undefined)
    json.payloadFormatIndicator = properties.payloadFormatIndicator;
  if (properties.messageExpiryInterval !== undefined)
    json.messageExpiryInterval = properties.messageExpiryInterval;
  if (properties.contentType !== undefined) json.contentType = properties.contentType;
  if (properties.responseTopic !== undefined) json.responseTopic = properties.responseTopic;
  if (properties.correlationData !== undefined) {
    const { text, encoding } = textOrBase64(properties.correlationData);
    json.correlationData = text;
    json.correlationDataEncoding = encoding;
  }
  if (properties.topicAlias !== undefined) json.topicAlias = properties.topicAlias;
  if (properties.subscriptionIdentifiers !== undefined) {
    json.subscriptionIdentifiers = [...properties.subscriptionIdentifiers];
  }
  if (properties.userProperties !== undefined) {
    json.userProperties = properties.userProperties.map(([name, value]) => [name, value]);
  }
  return json;
}

/** The `--json` object of a message. */
export function messageToJson(message: MessageView): MessageJson {
  const { text, encoding } = textOrBase64(message.payload);
  const json: MessageJson = {
    topic: message.topic,
    payload: text,
    payloadEncoding: encoding,
    qos: message.qos,
    retain: message.retain,
    dup: message.dup ?? false,
    received: new Date(Math.floor(message.receivedAt)).toISOString(),
  };
  if (message.packetId !== undefined) json.packetId = message.packetId;
  if (message.properties !== undefined) json.properties = propertiesToJson(message.properties);
  return json;
}

/** mosquitto's `%j` properties object (hyphenated names; user properties as an object, as mosquitto does). */
function mosquittoProperties(properties: PublishProperties | undefined): Record<string, unknown> | undefined {
  if (properties === undefined) return undefined;
  const out: Record<string, unknown> = {};
  if (properties.userProperties !== undefined && properties.userProperties.length > 0) {
    out['user-properties'] = Object.fromEntries(properties.userProperties);
  }
  if (properties.contentType !== undefined) out['content-type'] = properties.contentType;
  if (properties.responseTopic !== undefined) out['response-topic'] = properties.responseTopic;
  if (properties.correlationData !== undefined) {
    out['correlation-data'] = asBuffer(properties.correlationData).toString('utf8');
  }
  if (properties.messageExpiryInterval !== undefined) {
    out['message-expiry-interval'] = properties.messageExpiryInterval;
  }
  if (properties.payloadFormatIndicator !== undefined) {
    out['payload-format-indicator'] = properties.payloadFormatIndicator ? 1 : 0;
  }
  if (properties.topicAlias !== undefined) out['topic-alias'] = properties.topicAlias;
  if (properties.subscriptionIdentifiers?.[0] !== undefined) {
    out['subscription-identifier'] = properties.subscriptionIdentifiers[0];
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/**
 * mosquitto's `%j` (payload as a JSON string) or `%J` (payload inserted as JSON; an Error when it is
 * not valid JSON). A payload that is not UTF-8 is given in base64 with `"payloadencoding":"base64"`.
 */
export function mosquittoJson(message: MessageView, rawPayload: boolean, pretty: boolean): string | Error {
  const object: Record<string, unknown> = {
    tst: mosquittoJsonTime(message.receivedAt),
    topic: message.topic,
    qos: message.qos,
    retain: message.retain ? 1 : 0,
    payloadlen: message.payload.byteLength,
  };
  if (message.packetId !== undefined) object.mid = message.packetId;
  const properties = mosquittoProperties(message.properties);
  if (properties !== undefined) object.properties = properties;
  const { text, encoding } = textOrBase64(message.payload);
  if (rawPayload) {
    try {
      object.payload = JSON.parse(text);
    } catch {
      return new Error(`Message payload is not valid JSON on topic ${message.topic}`);
    }
  } else {
    object.payload = text;
    if (encoding === 'base64') object.payloadencoding = 'base64';
  }
  return pretty ? JSON.stringify(object, null, 2) : JSON.stringify(object);
}

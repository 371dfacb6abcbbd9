/**
 * `-D command identifier value` (and `-D command user-property name value`): MQTT 5.0 properties on
 * the command line, with mosquitto's command and identifier names (spec names with `-` between words).
 */
import type {
  ConnectProperties,
  DisconnectProperties,
  PublishProperties,
  SubscribeProperties,
  UnsubscribeProperties,
  UserProperty,
  WillProperties,
} from '@mqttkit/types';
import { usageError } from '../cli-error.js';
import type { Occurrence } from './parse-argv.js';

/** The packets `-D` can add properties to. */
export type PropertyCommand = 'connect' | 'publish' | 'subscribe' | 'unsubscribe' | 'disconnect' | 'will';

/** Properties from every `-D`, grouped by packet. */
export interface PropertySets {
  connect?: ConnectProperties;
  publish?: PublishProperties;
  subscribe?: SubscribeProperties;
  unsubscribe?: UnsubscribeProperties;
  disconnect?: DisconnectProperties;
  will?: WillProperties;
}

type ValueKind = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary';

interface PropertyDef {
  /** The camelCase field of the `@mqttkit/types` properties interface. */
  readonly field: string;
  readonly kind: ValueKind;
  readonly commands: readonly PropertyCommand[];
}

const MESSAGE: readonly PropertyCommand[] = ['publish', 'will'];

/** The properties a client may send, by mosquitto's identifier (section 2.2.2.2 of MQTT 5.0). */
const PROPERTY_DEFS: Readonly<Record<string, PropertyDef>> = {
  'payload-format-indicator': { field: 'payloadFormatIndicator', kind: 'byte', commands: MESSAGE },
  'message-expiry-interval': { field: 'messageExpiryInterval', kind: 'u32', commands: MESSAGE },
  'content-type': { field: 'contentType', kind: 'string', commands: MESSAGE },
  'response-topic': { field: 'responseTopic', kind: 'string', commands: MESSAGE },
  'correlation-data': { field: 'correlationData', kind: 'binary', commands: MESSAGE },
  'subscription-identifier': { field: 'subscriptionIdentifier', kind: 'varint', commands: ['subscribe'] },
  'session-expiry-interval': {
    field: 'sessionExpiryInterval',
    kind: 'u32',
    commands: ['connect', 'disconnect'],
  },
  'authentication-method': { field: 'authenticationMethod', kind: 'string', commands: ['connect'] },
  'authentication-data': { field: 'authenticationData', kind: 'binary', commands: ['connect'] },
  'request-problem-information': { field: 'requestProblemInformation', kind: 'byte', commands: ['connect'] },
  'request-response-information': {
    field: 'requestResponseInformation',
    kind: 'byte',
    commands: ['connect'],
  },
  'will-delay-interval': { field: 'willDelayInterval', kind: 'u32', commands: ['will'] },
  'receive-maximum': { field: 'receiveMaximum', kind: 'u16', commands: ['connect'] },
  'topic-alias-maximum': { field: 'topicAliasMaximum', kind: 'u16', commands: ['connect'] },
  'maximum-packet-size': { field: 'maximumPacketSize', kind: 'u32', commands: ['connect'] },
};

const COMMANDS: readonly PropertyCommand[] = [
  'connect',
  'publish',
  'subscribe',
  'unsubscribe',
  'disconnect',
  'will',
];

const MAX: Readonly<Record<ValueKind, number>> = {
  byte: 1,
  u16: 0xffff,
  u32: 0xffff_ffff,
  varint: 268_435_455,
  string: 0,
  binary: 0,
};
const utf8 = new TextEncoder();

type Mutable = Record<string, unknown> & { userProperties?: UserProperty[] };

/**
 * Builds the property sets from every `-D` occurrence; `allowed` lists the packets this command sends
 * (sub never sends PUBLISH, pub never SUBSCRIBE). Throws a usage error naming the bad part.
 */
export function parseProperties(
  command: string,
  occurrences: readonly Occurrence[],
  allowed: readonly PropertyCommand[],
): PropertySets {
  const sets = new Map<PropertyCommand, Mutable>();
  for (const { name, values } of occurrences) {
    const [rawCommand = '', identifier = '', first = '', second] = values;
    const packet = rawCommand.toLowerCase() as PropertyCommand;
    if (!COMMANDS.includes(packet)) {
      throw usageError(
        command,
        `${name}: unknown command '${rawCommand}' (expected one of ${allowed.join(', ')})`,
      );
    }
    if (!allowed.includes(packet)) {
      throw usageError(command, `${name}: mqttkit ${command} sends no ${packet.toUpperCase()} packet`);
    }
    const target = sets.get(packet) ?? {};
    sets.set(packet, target);
    const id = identifier.toLowerCase();
    if (id === 'user-property') {
      // Kept as an ordered list: repeated names are allowed and their order is kept [MQTT-3.3.2-18].
      target.userProperties = [...(target.userProperties ?? []), [first, second ?? '']];
      continue;
    }
    if (id === 'topic-alias') {
      throw usageError(
        command,
        `${name}: topic aliases are chosen by mqttkit itself; do not set topic-alias`,
      );
    }
    const def = PROPERTY_DEFS[id];
    if (def === undefined) throw usageError(command, `${name}: unknown property '${identifier}'`);
    if (!def.commands.includes(packet)) {
      throw usageError(command, `${name}: ${id} is not allowed for ${packet}`);
    }
    target[def.field] = convert(command, name, id, def.kind, first);
  }
  const result: PropertySets = {};
  for (const [packet, props] of sets) Object.assign(result, { [packet]: props });
  return result;
}

function convert(command: string, name: string, id: string, kind: ValueKind, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'binary') return utf8.encode(text);
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const min = kind === 'varint' ? 1 : 0;
  if (!Number.isSafeInteger(value) || value < min || value > MAX[kind]) {
    throw usageError(command, `${name}: ${id} must be an integer from ${min} to ${MAX[kind]}, got '${text}'`);
  }
  return kind === 'byte' ? value === 1 : value;
}

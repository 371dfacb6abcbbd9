import { describe, expect, it } from 'vitest';
import { parseArgv } from './parse-argv.js';
import { parseProperties } from './properties-arg.js';

const SPECS = [{ key: 'property', short: 'D', arity: 'property' as const }];
const ALL = ['connect', 'publish', 'subscribe', 'unsubscribe', 'disconnect', 'will'] as const;

function parse(argv: string[], allowed: readonly (typeof ALL)[number][] = ALL) {
  return parseProperties('pub', parseArgv(argv, SPECS).all('property'), allowed);
}

describe('-D properties', () => {
  it('builds typed properties per packet, user properties in order with duplicates', () => {
    const sets = parse([
      '-D',
      'connect',
      'session-expiry-interval',
      '60',
      '-D',
      'connect',
      'receive-maximum',
      '10',
      '-D',
      'connect',
      'maximum-packet-size',
      '4096',
      '-D',
      'connect',
      'topic-alias-maximum',
      '5',
      '-D',
      'connect',
      'request-problem-information',
      '0',
      '-D',
      'connect',
      'request-response-information',
      '1',
      '-D',
      'connect',
      'authentication-method',
      'SCRAM',
      '-D',
      'connect',
      'authentication-data',
      'xyz',
      '-D',
      'PUBLISH',
      'user-property',
      'k',
      'v',
      '-D',
      'publish',
      'user-property',
      'k',
      'again',
      '-D',
      'publish',
      'content-type',
      'text/plain',
      '-D',
      'publish',
      'message-expiry-interval',
      '10',
      '-D',
      'publish',
      'response-topic',
      'reply',
      '-D',
      'publish',
      'correlation-data',
      'id-1',
      '-D',
      'publish',
      'payload-format-indicator',
      '1',
      '-D',
      'subscribe',
      'subscription-identifier',
      '7',
      '-D',
      'unsubscribe',
      'user-property',
      'u',
      '1',
      '-D',
      'disconnect',
      'session-expiry-interval',
      '0',
      '-D',
      'will',
      'will-delay-interval',
      '30',
    ]);
    expect(sets.connect).toEqual({
      sessionExpiryInterval: 60,
      receiveMaximum: 10,
      maximumPacketSize: 4096,
      topicAliasMaximum: 5,
      requestProblemInformation: false,
      requestResponseInformation: true,
      authenticationMethod: 'SCRAM',
      authenticationData: new TextEncoder().encode('xyz'),
    });
    expect(sets.publish).toEqual({
      userProperties: [
        ['k', 'v'],
        ['k', 'again'],
      ],
      contentType: 'text/plain',
      messageExpiryInterval: 10,
      responseTopic: 'reply',
      correlationData: new TextEncoder().encode('id-1'),
      payloadFormatIndicator: true,
    });
    expect(sets.subscribe).toEqual({ subscriptionIdentifier: 7 });
    expect(sets.unsubscribe).toEqual({ userProperties: [['u', '1']] });
    expect(sets.disconnect).toEqual({ sessionExpiryInterval: 0 });
    expect(sets.will).toEqual({ willDelayInterval: 30 });
  });

  it('refuses unknown commands, unknown properties, misplaced ones and bad values, readably', () => {
    expect(() => parse(['-D', 'pubrec', 'user-property', 'a', 'b'])).toThrow(
      "mqttkit pub: -D: unknown command 'pubrec' (expected one of connect, publish",
    );
    expect(() => parse(['-D', 'subscribe', 'user-property', 'a', 'b'], ['connect', 'publish'])).toThrow(
      'mqttkit pub: -D: mqttkit pub sends no SUBSCRIBE packet',
    );
    expect(() => parse(['-D', 'publish', 'colour', 'red'])).toThrow(
      "mqttkit pub: -D: unknown property 'colour'",
    );
    expect(() => parse(['-D', 'connect', 'content-type', 'x'])).toThrow(
      'mqttkit pub: -D: content-type is not allowed for connect',
    );
    expect(() => parse(['-D', 'connect', 'receive-maximum', '70000'])).toThrow(
      "mqttkit pub: -D: receive-maximum must be an integer from 0 to 65535, got '70000'",
    );
    expect(() => parse(['-D', 'subscribe', 'subscription-identifier', '0'])).toThrow('from 1 to 268435455');
    expect(() => parse(['-D', 'publish', 'payload-format-indicator', '2'])).toThrow('from 0 to 1');
    expect(() => parse(['-D', 'publish', 'message-expiry-interval', 'soon'])).toThrow("got 'soon'");
    expect(() => parse(['-D', 'publish', 'topic-alias', '1'])).toThrow('topic aliases are chosen by mqttkit');
  });
});

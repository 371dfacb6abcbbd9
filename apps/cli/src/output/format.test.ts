import { describe, expect, it } from 'vitest';
import { compileFormat, renderFormat } from './format.js';
import type { MessageView } from './message-view.js';

// 2020-05-06T22:12:00.123456Z, as epoch milliseconds with microseconds.
const RECEIVED = Date.UTC(2020, 4, 6, 22, 12, 0, 123) + 0.456;
const utf8 = new TextEncoder();

const message: MessageView = {
  topic: 'sensors/7/temp',
  payload: utf8.encode('21.5'),
  qos: 1,
  retain: true,
  packetId: 42,
  properties: {
    userProperties: [
      ['unit', 'C'],
      ['unit', 'K'],
    ],
    contentType: 'text/plain',
    responseTopic: 'reply/7',
    correlationData: utf8.encode('req-1'),
    messageExpiryInterval: 30,
    payloadFormatIndicator: true,
    topicAlias: 3,
    subscriptionIdentifiers: [5, 9],
  },
  receivedAt: RECEIVED,
};

function render(format: string, view: MessageView = message): string | undefined {
  const errors: string[] = [];
  const out = renderFormat(compileFormat(format), view, { pretty: false, onError: (e) => errors.push(e) });
  if (errors.length > 0) return `ERROR: ${errors.join('; ')}`;
  return out?.toString('utf8');
}

describe('-F format', () => {
  it('renders every message field', () => {
    expect(render('%t|%p|%q|%r|%m|%l')).toBe('sensors/7/temp|21.5|1|1|42|4');
    expect(render('%x|%X')).toBe('32312e35|32312E35');
    expect(render('%P|%C|%R|%D|%E|%F|%A|%S')).toBe('unit:C unit:K|text/plain|reply/7|req-1|30|1|3|5,9');
    expect(render('%%|100%')).toBe('%|100%');
  });

  it('prints absent properties as empty and %m as 0 without a packet id', () => {
    const bare: MessageView = {
      topic: 't',
      payload: new Uint8Array(0),
      qos: 0,
      retain: false,
      receivedAt: RECEIVED,
    };
    expect(render('[%P][%C][%R][%D][%E][%F][%A][%S][%m][%l][%p]', bare)).toBe('[][][][][][][][][0][0][]');
  });

  it('applies width, left alignment, zero padding and maximum width like printf', () => {
    expect(render('[%10t]')).toBe('[sensors/7/temp]');
    expect(render('[%16t]')).toBe('[  sensors/7/temp]');
    expect(render('[%-16t]')).toBe('[sensors/7/temp  ]');
    expect(render('[%05l]')).toBe('[00004]');
    expect(render('[%-05l]')).toBe('[4    ]');
    // Zero padding applies only to the numeric-ish fields mosquitto lists.
    expect(render('[%06q]')).toBe('[     1]');
    expect(render('[%.7t]')).toBe('[sensors]');
    expect(render('[%10.7t]')).toBe('[   sensors]');
    // Maximum width applies only to %C %I %R %t.
    expect(render('[%.2p]')).toBe('[21.5]');
  });

  it('turns \\ escapes into characters', () => {
    expect(render('a\\tb\\nc\\\\d\\0e\\ae\\ee\\re\\v')).toBe('a\tb\nc\\d\0e\x07e\x1be\re\v');
    expect(render('\\q')).toBe('\\q');
  });

  it('renders @ strftime letters in local time, and %U / %I', () => {
    const local = new Date(Math.floor(RECEIVED));
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(render('@Y-@m-@d @H:@M:@S')).toBe(
      `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())} ${pad(local.getHours())}:${pad(local.getMinutes())}:${pad(local.getSeconds())}`,
    );
    expect(render('@N')).toBe('123456000');
    expect(render('@s')).toBe(String(Math.floor(RECEIVED / 1000)));
    expect(render('@@ @Q')).toBe('@ @Q');
    expect(render('%U')).toBe(`${Math.floor(RECEIVED / 1000)}.123456000`);
    expect(render('%I')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$/);
  });

  it('%j is mosquitto JSON; %J inserts a JSON payload and refuses one that is not JSON', () => {
    expect(JSON.parse(render('%j')!)).toEqual({
      tst: '2020-05-06T22:12:00.123456Z+0000',
      topic: 'sensors/7/temp',
      qos: 1,
      retain: 1,
      payloadlen: 4,
      mid: 42,
      properties: {
        'user-properties': { unit: 'K' },
        'content-type': 'text/plain',
        'response-topic': 'reply/7',
        'correlation-data': 'req-1',
        'message-expiry-interval': 30,
        'payload-format-indicator': 1,
        'topic-alias': 3,
        'subscription-identifier': 5,
      },
      payload: '21.5',
    });
    expect(JSON.parse(render('%J')!).payload).toBe(21.5);
    expect(render('%J', { ...message, payload: utf8.encode('not json') })).toBe(
      'ERROR: Message payload is not valid JSON on topic sensors/7/temp',
    );
    const binary = JSON.parse(render('%j', { ...message, payload: new Uint8Array([0xff, 0x00]) })!);
    expect(binary).toMatchObject({ payload: '/wA=', payloadencoding: 'base64' });
  });

  it('keeps binary payload bytes as they are', () => {
    const out = renderFormat(
      compileFormat('<%p>'),
      { ...message, payload: new Uint8Array([0, 0xff, 10]) },
      { pretty: false, onError: () => {} },
    );
    expect([...out!]).toEqual([0x3c, 0, 0xff, 10, 0x3e]);
  });
});

import { describe, expect, it } from 'vitest';
import { compileFormat } from './format.js';
import { messageToJson } from './json-message.js';
import { type OutputOptions, renderMessage } from './message-printer.js';
import type { MessageView } from './message-view.js';

const utf8 = new TextEncoder();
const base: MessageView = {
  topic: 'a/b',
  payload: utf8.encode('hello'),
  qos: 0,
  retain: false,
  receivedAt: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
};
const options = (mode: OutputOptions['mode'], eol = true): OutputOptions => ({ mode, eol, pretty: false });

function text(view: MessageView, output: OutputOptions): string | undefined {
  return renderMessage(view, output, () => {})?.toString('utf8');
}

describe('renderMessage', () => {
  it('prints like mosquitto_sub: payload, -v "topic payload", -F, with or without -N', () => {
    expect(text(base, options({ kind: 'payload' }))).toBe('hello\n');
    expect(text(base, options({ kind: 'payload' }, false))).toBe('hello');
    expect(text(base, options({ kind: 'verbose' }))).toBe('a/b hello\n');
    expect(text(base, options({ kind: 'format', format: compileFormat('%t=%p') }))).toBe('a/b=hello\n');
  });

  it('an empty payload prints nothing by default and "(null)" with -v, as mosquitto_sub does', () => {
    const empty = { ...base, payload: new Uint8Array(0) };
    expect(renderMessage(empty, options({ kind: 'payload' }), () => {})).toBeUndefined();
    expect(text(empty, options({ kind: 'verbose' }))).toBe('a/b (null)\n');
    expect(text(empty, options({ kind: 'format', format: compileFormat('[%p]') }))).toBe('[]\n');
  });

  it('--json: one object per line, even with -N; --pretty indents', () => {
    const line = text(base, options({ kind: 'json' }, false))!;
    expect(line.endsWith('}\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({
      topic: 'a/b',
      payload: 'hello',
      payloadEncoding: 'utf8',
      qos: 0,
      retain: false,
      dup: false,
      received: '2024-01-02T03:04:05.678Z',
    });
    const pretty = renderMessage(
      base,
      { mode: { kind: 'json' }, eol: true, pretty: true },
      () => {},
    )!.toString();
    expect(pretty).toContain('\n  "topic": "a/b",\n');
  });

  it('--json: base64 for payloads and correlation data that are not UTF-8, properties in spec names', () => {
    const json = messageToJson({
      ...base,
      payload: new Uint8Array([0xc3, 0x28]),
      qos: 2,
      retain: true,
      dup: true,
      packetId: 9,
      properties: {
        userProperties: [
          ['k', 'v'],
          ['k', 'w'],
        ],
        correlationData: new Uint8Array([0xff]),
        contentType: 'application/octet-stream',
        responseTopic: 'r',
        messageExpiryInterval: 5,
        payloadFormatIndicator: false,
        subscriptionIdentifiers: [1],
        topicAlias: 2,
      },
    });
    expect(json).toEqual({
      topic: 'a/b',
      payload: 'wyg=',
      payloadEncoding: 'base64',
      qos: 2,
      retain: true,
      dup: true,
      packetId: 9,
      properties: {
        userProperties: [
          ['k', 'v'],
          ['k', 'w'],
        ],
        correlationData: '/w==',
        correlationDataEncoding: 'base64',
        contentType: 'application/octet-stream',
        responseTopic: 'r',
        messageExpiryInterval: 5,
        payloadFormatIndicator: false,
        subscriptionIdentifiers: [1],
        topicAlias: 2,
      },
      received: '2024-01-02T03:04:05.678Z',
    });
  });

  it('a %J payload that is not JSON prints nothing and reports why', () => {
    const errors: string[] = [];
    expect(
      renderMessage(base, options({ kind: 'format', format: compileFormat('%J') }), (e) => errors.push(e)),
    ).toBeUndefined();
    expect(errors).toEqual(['Message payload is not valid JSON on topic a/b']);
  });
});

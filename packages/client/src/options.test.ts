import { describe, expect, it } from 'vitest';
import { DEFAULT_MAXIMUM_PACKET_SIZE, randomClientId, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('parses each scheme with its default port and the WebSocket path', () => {
    expect(resolveOptions('mqtt://example.com').target).toMatchObject({
      protocol: 'mqtt',
      host: 'example.com',
      port: 1883,
    });
    expect(resolveOptions('mqtts://example.com').target).toMatchObject({ protocol: 'mqtts', port: 8883 });
    expect(resolveOptions('tcp://h:1').target).toMatchObject({ protocol: 'mqtt', port: 1 });
    expect(resolveOptions('ws://h').target).toMatchObject({
      protocol: 'ws',
      port: 80,
      path: '/mqtt',
      url: 'ws://h/mqtt',
    });
    expect(resolveOptions('wss://h:9001/x?y=1').target).toMatchObject({
      protocol: 'wss',
      port: 9001,
      path: '/x?y=1',
    });
    expect(resolveOptions('ws://h', { ws: { path: '/p' } }).target.path).toBe('/p');
    expect(resolveOptions('mqtt://[::1]:1884').target).toMatchObject({ host: '::1', port: 1884 });
  });

  it('takes credentials from the URL unless given, and keeps them out of the display URL', () => {
    const options = resolveOptions('mqtt://us%40er:p%3Ass@h');
    expect(options.username).toBe('us@er');
    expect(new TextDecoder().decode(options.password)).toBe('p:ss');
    expect(options.target.url).toBe('mqtt://h');
    expect(resolveOptions('mqtt://a:b@h', { username: 'x' }).username).toBe('x');
  });

  it('applies defaults, adding Maximum Packet Size and Request Response Information in v5', () => {
    const v5 = resolveOptions('mqtt://h');
    expect(v5).toMatchObject({
      protocolVersion: 5,
      clean: true,
      keepAlive: 60,
      connectTimeoutMs: 30_000,
      offlineQueueLimit: 10_000,
    });
    expect(v5.properties).toEqual({
      maximumPacketSize: DEFAULT_MAXIMUM_PACKET_SIZE,
      requestResponseInformation: true,
    });
    expect(
      resolveOptions('mqtt://h', {
        properties: { maximumPacketSize: 100, requestResponseInformation: false },
      }).properties,
    ).toEqual({
      maximumPacketSize: 100,
      requestResponseInformation: false,
    });
    expect(resolveOptions('mqtt://h', { protocolVersion: 4 }).properties).toBeUndefined();
  });

  it('refuses bad input with a readable error', () => {
    expect(() => resolveOptions('nope')).toThrow(/not a URL/);
    expect(() => resolveOptions('http://h')).toThrow(/unsupported URL scheme/);
    expect(() => resolveOptions('mqtt://h', { keepAlive: 70_000 })).toThrow(RangeError);
    expect(() => resolveOptions('mqtt://h', { protocolVersion: 6 as 5 })).toThrow(RangeError);
    expect(() => resolveOptions('mqtt://h', { will: { topic: 'a/#', payload: '' } })).toThrow(/wildcard/);
    expect(() => resolveOptions('mqtt://h', { protocolVersion: 4, clientId: '', clean: false })).toThrow(
      TypeError,
    );
  });

  it('generates client ids that fit MQTT 3.1 (at most 23 characters)', () => {
    const id = randomClientId();
    expect(id).toMatch(/^mqttkit_[0-9a-f]{12}$/);
    expect(id.length).toBeLessThanOrEqual(23);
    expect(randomClientId()).not.toBe(id);
  });
});

import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { checkFirstByte, FIRST_BYTE } from './frame.js';

function outcome(byte: number, isServer: boolean, version: number): string {
  try {
    checkFirstByte(byte, isServer, version);
    return 'ok';
  } catch (error) {
    if (!MqttError.isInstance(error)) throw error;
    return error.specRef === undefined ? error.code : `${error.code} ${error.specRef}`;
  }
}

describe('checkFirstByte', () => {
  it('accepts every packet type in the direction it travels', () => {
    const toServer = [
      'connect',
      'publish',
      'puback',
      'pubrec',
      'pubrel',
      'pubcomp',
      'subscribe',
      'unsubscribe',
      'pingreq',
      'disconnect',
    ] as const;
    const toClient = [
      'connack',
      'publish',
      'puback',
      'pubrec',
      'pubrel',
      'pubcomp',
      'suback',
      'unsuback',
      'pingresp',
    ] as const;
    for (const version of [3, 4, 5]) {
      for (const type of toServer) expect(outcome(FIRST_BYTE[type], true, version), type).toBe('ok');
      for (const type of toClient) expect(outcome(FIRST_BYTE[type], false, version), type).toBe('ok');
    }
    expect(outcome(FIRST_BYTE.disconnect, false, 5)).toBe('ok');
    expect(outcome(FIRST_BYTE.auth, false, 5)).toBe('ok');
    expect(outcome(FIRST_BYTE.auth, true, 5)).toBe('ok');
  });

  it('refuses packets that never travel towards the receiver', () => {
    for (const type of ['connack', 'suback', 'unsuback', 'pingresp'] as const) {
      expect(outcome(FIRST_BYTE[type], true, 4)).toBe('PROTOCOL_ERROR');
    }
    for (const type of ['connect', 'subscribe', 'unsubscribe', 'pingreq'] as const) {
      expect(outcome(FIRST_BYTE[type], false, 5)).toBe('PROTOCOL_ERROR');
    }
    expect(outcome(FIRST_BYTE.disconnect, false, 4)).toBe('PROTOCOL_ERROR');
  });

  it('[MQTT-3.1.0-1] accepts only CONNECT while the server waits for it', () => {
    expect(outcome(0x10, true, 0)).toBe('ok');
    expect(outcome(0x30, true, 0)).toBe('PROTOCOL_ERROR MQTT-3.1.0-1');
    expect(outcome(0xf0, true, 0)).toBe('PROTOCOL_ERROR MQTT-3.1.0-1');
  });

  it('refuses reserved types', () => {
    expect(outcome(0x00, true, 4)).toBe('MALFORMED_PACKET');
    expect(outcome(0xf0, true, 4)).toBe('MALFORMED_PACKET');
    expect(outcome(0xf0, false, 3)).toBe('MALFORMED_PACKET');
  });

  it('checks every flag nibble', () => {
    for (let type = 1; type < 16; type++) {
      for (let flags = 0; flags < 16; flags++) {
        const byte = (type << 4) | flags;
        const isServer = ![2, 9, 11, 13].includes(type);
        const result = outcome(byte, isServer, 5);
        if (type === 1)
          expect(result).toBe('ok'); // checked once the CONNECT's version is known
        else if (type === 3) {
          const qos = (flags >> 1) & 3;
          const expected =
            qos === 3
              ? 'MALFORMED_PACKET MQTT-3.3.1-4'
              : qos === 0 && flags & 8
                ? 'MALFORMED_PACKET MQTT-3.3.1-2'
                : 'ok';
          expect(result, `flags ${flags}`).toBe(expected);
        } else {
          const required = type === 6 || type === 8 || type === 10 ? 2 : 0;
          expect(result === 'ok', `type ${type} flags ${flags}`).toBe(flags === required);
        }
      }
    }
  });
});

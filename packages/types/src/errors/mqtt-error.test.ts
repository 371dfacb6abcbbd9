import { describe, expect, it } from 'vitest';
import { ReasonCode } from '../reason-codes.js';
import { MqttError, MqttErrorCode } from './mqtt-error.js';

describe('MqttError', () => {
  it('carries the code, the matching v5 reason code, the spec id and a readable message', () => {
    const error = new MqttError('MALFORMED_PACKET', 'remaining length exceeds 4 bytes', {
      specRef: 'MQTT-1.5.5-1',
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MqttError');
    expect(error.code).toBe('MALFORMED_PACKET');
    expect(error.reasonCode).toBe(ReasonCode.MalformedPacket);
    expect(error.specRef).toBe('MQTT-1.5.5-1');
    expect(error.message).toBe('remaining length exceeds 4 bytes');
    expect(error.reasonText).toBe('Malformed Packet');
  });

  it('keeps the cause', () => {
    const cause = new RangeError('inner');
    expect(new MqttError('PROTOCOL_ERROR', 'outer', { cause }).cause).toBe(cause);
  });

  it('recognises instances without instanceof, so duplicate installs agree', () => {
    const foreign = Object.create({ [Symbol.for('@mqttkit/types/MqttError')]: true });
    expect(MqttError.isInstance(new MqttError('PACKET_TOO_LARGE', 'x'))).toBe(true);
    expect(MqttError.isInstance(foreign)).toBe(true);
    expect(MqttError.isInstance(new Error('x'))).toBe(false);
    expect(MqttError.isInstance(null)).toBe(false);
    expect(MqttError.isInstance('MALFORMED_PACKET')).toBe(false);
  });

  it('builds an error from a reason code, falling back to UNSPECIFIED_ERROR', () => {
    const notAuthorized = MqttError.fromReasonCode(0x87, 'acl denied', { specRef: 'MQTT-3.3.5-2' });
    expect(notAuthorized.code).toBe('NOT_AUTHORIZED');
    expect(notAuthorized.reasonCode).toBe(0x87);
    expect(notAuthorized.specRef).toBe('MQTT-3.3.5-2');
    expect(MqttError.fromReasonCode(0x9e, 'x').code).toBe('SHARED_SUBSCRIPTIONS_NOT_SUPPORTED');
    expect(MqttError.fromReasonCode(0x00, 'not an error').code).toBe('UNSPECIFIED_ERROR');
    expect(MqttError.fromReasonCode(0x42, 'undefined value').reasonCode).toBe(0x80);
  });

  it('maps every code to an error reason code (0x80 and above)', () => {
    for (const value of Object.values(MqttErrorCode)) expect(value).toBeGreaterThanOrEqual(0x80);
  });
});

import { describe, expect, it } from 'vitest';
import {
  AUTH_REASON_CODES,
  CONNACK_REASON_CODES,
  DISCONNECT_REASON_CODES,
  PUBACK_REASON_CODES,
  PUBREL_REASON_CODES,
  REASON_CODE_TEXT,
  ReasonCode,
  SUBACK_REASON_CODES,
  UNSUBACK_REASON_CODES,
} from './reason-codes.js';

describe('reason codes', () => {
  it('has a readable text for every named value', () => {
    for (const value of Object.values(ReasonCode)) expect(REASON_CODE_TEXT[value]).toBeTypeOf('string');
  });

  it('groups the codes by the packets the spec allows them in (section 2.4)', () => {
    expect(CONNACK_REASON_CODES).toHaveLength(22);
    expect(PUBACK_REASON_CODES).toHaveLength(9);
    expect(PUBREL_REASON_CODES).toEqual([0x00, 0x92]);
    expect(SUBACK_REASON_CODES).toHaveLength(12);
    expect(UNSUBACK_REASON_CODES).toHaveLength(7);
    expect(DISCONNECT_REASON_CODES).toHaveLength(29);
    expect(AUTH_REASON_CODES).toEqual([0x00, 0x18, 0x19]);
    expect(CONNACK_REASON_CODES).not.toContain(ReasonCode.GrantedQoS1);
    expect(DISCONNECT_REASON_CODES).toContain(ReasonCode.SessionTakenOver);
    expect(SUBACK_REASON_CODES).not.toContain(ReasonCode.NoSubscriptionExisted);
  });
});

import { DEFAULT_LIMITS, resolveLimits } from '@mqttkit/broker';
import { describe, expect, it } from 'vitest';
import { envNameOf, LIMIT_KEYS, LISTENER_PROTOCOLS, SETTINGS } from './schema.js';

describe('settings table', () => {
  it('has a row for every broker limit, defaulting to the broker default', () => {
    expect([...LIMIT_KEYS].sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
    for (const key of LIMIT_KEYS) {
      const row = SETTINGS.find((setting) => setting.path === `limits.${key}`);
      expect(row?.default, key).toBe(DEFAULT_LIMITS[key]);
      expect(row?.type.check(DEFAULT_LIMITS[key]), `default of ${key} passes its own check`).toBe(true);
    }
  });

  it('gives every setting a unique environment variable and a description', () => {
    const names = SETTINGS.map((row) => row.env);
    expect(new Set(names).size).toBe(names.length);
    for (const row of SETTINGS) {
      expect(row.env).toMatch(/^MQTTKIT_[A-Z0-9_]+$/);
      expect(row.description.length, row.path).toBeGreaterThan(10);
    }
  });

  it('derives environment names from the path', () => {
    expect(envNameOf('limits.maximumPacketSize')).toBe('MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE');
    expect(envNameOf('limits.queueQoS0Offline')).toBe('MQTTKIT_LIMITS_QUEUE_QOS0_OFFLINE');
    expect(envNameOf('limits.maximumQoS')).toBe('MQTTKIT_LIMITS_MAXIMUM_QOS');
    expect(envNameOf('log.level')).toBe('MQTTKIT_LOG_LEVEL');
  });

  it('every listener default passes its own check', () => {
    for (const { fields } of Object.values(LISTENER_PROTOCOLS)) {
      for (const field of fields) {
        if (field.default !== undefined) expect(field.type.check(field.default), field.path).toBe(true);
        if (field.example !== undefined) expect(field.type.check(field.example), field.path).toBe(true);
      }
    }
  });

  // The table repeats the ranges resolveLimits enforces, to report them per key; they must agree.
  it.each(LIMIT_KEYS)('limits.%s accepts exactly what resolveLimits accepts', (key) => {
    const { type } = SETTINGS.find((row) => row.path === `limits.${key}`)!;
    const range = /^an integer from (\d+) to (\d+)$/.exec(type.expected);
    const candidates: unknown[] = range
      ? [Number(range[1]) - 1, Number(range[1]), Number(range[2]), Number(range[2]) + 1, 1.5]
      : typeof DEFAULT_LIMITS[key] === 'boolean'
        ? [true, false]
        : [0, 1, 2, 3, -1, 'drop-new', 'drop-oldest'];
    for (const value of candidates) {
      const inTable = type.check(value);
      let inBroker = true;
      try {
        resolveLimits({ [key]: value });
      } catch {
        inBroker = false;
      }
      // The broker does not re-check every enumerated value (queueFullPolicy, booleans); the table is
      // allowed to be stricter there, never looser.
      if (inTable)
        expect(inBroker, `${key} = ${String(value)} passes the table but not the broker`).toBe(true);
      if (range && inBroker)
        expect(inTable, `${key} = ${String(value)} passes the broker but not the table`).toBe(true);
    }
  });
});

/**
 * Checks and converts option values, with errors in one style: `mqttkit pub: -q must be 0, 1 or 2`.
 */
import type { ProtocolVersion, QoS } from '@mqttkit/types';
import { usageError } from '../cli-error.js';

/** Parses a decimal integer in [min, max]; `name` is the option as typed. */
export function parseInteger(
  command: string | undefined,
  name: string,
  text: string,
  min: number,
  max: number,
): number {
  const value = /^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError(command, `${name} must be an integer from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** Parses a decimal number (fractions allowed) in [min, max]. */
export function parseNumber(
  command: string | undefined,
  name: string,
  text: string,
  min: number,
  max: number,
): number {
  const value = /^\s*\d+(\.\d*)?\s*$|^\s*\.\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw usageError(command, `${name} must be a number from ${min} to ${max}, got '${text}'`);
  }
  return value;
}

/** Parses a QoS: 0, 1 or 2. */
export function parseQos(command: string | undefined, name: string, text: string): QoS {
  if (text === '0' || text === '1' || text === '2') return Number(text) as QoS;
  throw usageError(command, `${name} must be 0, 1 or 2`);
}

const VERSIONS: Readonly<Record<string, ProtocolVersion>> = {
  mqttv31: 3,
  '31': 3,
  mqttv311: 4,
  '311': 4,
  mqttv5: 5,
  '5': 5,
};

/** Parses `-V`: mqttv31, mqttv311, mqttv5 (or 31, 311, 5), case-insensitive. */
export function parseProtocolVersion(
  command: string | undefined,
  name: string,
  text: string,
): ProtocolVersion {
  const version = VERSIONS[text.toLowerCase()];
  if (version === undefined) {
    throw usageError(command, `${name} must be mqttv31, mqttv311 or mqttv5 (or 31, 311, 5), got '${text}'`);
  }
  return version;
}

/** The `-V` spelling of a protocol level, for messages and JSON. */
export function protocolName(version: ProtocolVersion): string {
  return version === 3 ? 'mqttv31' : version === 4 ? 'mqttv311' : 'mqttv5';
}

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isPretty } from './logging.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    const out = capture(false);
    const logger = createLogger({ level: 'info', pretty: 'auto' }, out.stream);
    logger.info({ port: 1883 }, 'listening');
    logger.debug({}, 'hidden below the level');
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, port: 1883, msg: 'listening' });
    expect(typeof line.time).toBe('string');
  });

  it('writes readable lines when asked or on a terminal', () => {
    expect(isPretty({ level: 'info', pretty: 'auto' }, { isTTY: true } as NodeJS.WriteStream)).toBe(true);
    expect(isPretty({ level: 'info', pretty: false }, { isTTY: true } as NodeJS.WriteStream)).toBe(false);
    const out = capture(false);
    const logger = createLogger({ level: 'debug', pretty: true }, out.stream);
    logger.debug({ port: 1883 }, 'listening');
    expect(out.text()).toMatch(/DEBUG.*listening/);
    expect(out.text()).toContain('"port":1883');
    expect(() => JSON.parse(out.text())).toThrow();
  });

  it('logs nothing when silent', () => {
    const out = capture(false);
    createLogger({ level: 'silent', pretty: false }, out.stream).error({}, 'nothing');
    expect(out.text()).toBe('');
  });
});

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAll, readLines } from './stdin.js';

async function lines(chunks: (string | Buffer)[], maxLine?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(Readable.from(chunks), maxLine)) out.push(line.toString('utf8'));
  return out;
}

describe('standard input', () => {
  it('splits lines like mosquitto_pub -l: empty lines kept, a last line without newline kept, \\r kept', async () => {
    expect(await lines(['l1\nl2\n\nl4'])).toEqual(['l1', 'l2', '', 'l4']);
    expect(await lines(['a\n'])).toEqual(['a']);
    expect(await lines(['a\r\nb'])).toEqual(['a\r', 'b']);
    expect(await lines([])).toEqual([]);
  });

  it('joins lines split across chunks, byte for byte', async () => {
    expect(await lines(['he', 'l', 'lo\nwor', 'ld\n', '\n'])).toEqual(['hello', 'world', '']);
    const bytes: Buffer[] = [];
    for await (const line of readLines(Readable.from([Buffer.from([0xff, 0x00]), Buffer.from([0x0a, 0x80])])))
      bytes.push(line);
    expect(bytes).toEqual([Buffer.from([0xff, 0x00]), Buffer.from([0x80])]);
  });

  it('bounds one line and the whole input', async () => {
    await expect(lines(['x'.repeat(10), 'y'.repeat(10)], 15)).rejects.toThrow('longer than 15 bytes');
    await expect(readAll(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), 15)).rejects.toThrow(
      'more than 15 bytes',
    );
    expect(await readAll(Readable.from([Buffer.from('ab'), Buffer.from('c')]))).toEqual(Buffer.from('abc'));
  });
});

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputSink } from './output-sink.js';

describe('OutputSink', () => {
  it('writes everything queued in one turn as one chunk', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const sink = new OutputSink(stream);
    sink.write('a');
    sink.write(Buffer.from('b'));
    sink.write('c\n');
    expect(chunks).toHaveLength(0);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks.map((c) => c.toString())).toEqual(['abc\n']);
  });

  it('flushes early past 64 KiB, and stops quietly when the stream fails (EPIPE)', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 * 1024 });
    const sink = new OutputSink(stream);
    sink.write(Buffer.alloc(70 * 1024));
    expect(stream.readableLength).toBe(70 * 1024);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(sink.isBroken).toBe(true);
    sink.write('ignored');
    await sink.drain();
    expect(stream.readableLength).toBe(70 * 1024);
  });
});

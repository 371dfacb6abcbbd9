import { describe, expect, it } from 'vitest';
import { QueueFullError } from './errors/queue-full-error.js';
import type { MqttMessage } from './message.js';
import { MessageIterator } from './message-iterator.js';

const message = (topic: string): MqttMessage => ({
  topic,
  payload: new Uint8Array(),
  qos: 0,
  retain: false,
  dup: false,
});

describe('MessageIterator', () => {
  it('yields matching messages in order, waiting for the next one', async () => {
    const iterator = new MessageIterator('s/+', {}, () => {});
    iterator.push(message('s/1'));
    iterator.push(message('other'));
    expect((await iterator.next()).value?.topic).toBe('s/1');
    const waiting = iterator.next();
    iterator.push(message('s/2'));
    expect((await waiting).value?.topic).toBe('s/2');
  });

  it('detaches on return() and ends a pending next()', async () => {
    let detached = false;
    const iterator = new MessageIterator(undefined, {}, () => {
      detached = true;
    });
    const waiting = iterator.next();
    await iterator.return();
    expect(detached).toBe(true);
    expect(await waiting).toEqual({ value: undefined, done: true });
    iterator.push(message('late'));
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('ends with QueueFullError after yielding the buffer when it overflows', async () => {
    const iterator = new MessageIterator(undefined, { bufferSize: 2 }, () => {});
    for (const topic of ['a', 'b', 'c']) iterator.push(message(topic));
    expect((await iterator.next()).value?.topic).toBe('a');
    expect((await iterator.next()).value?.topic).toBe('b');
    await expect(iterator.next()).rejects.toBeInstanceOf(QueueFullError);
    expect((await iterator.next()).done).toBe(true);
  });

  it('drops the oldest and counts it with drop-oldest', async () => {
    const iterator = new MessageIterator(undefined, { bufferSize: 2, overflow: 'drop-oldest' }, () => {});
    for (const topic of ['a', 'b', 'c']) iterator.push(message(topic));
    expect(iterator.dropped).toBe(1);
    expect((await iterator.next()).value?.topic).toBe('b');
  });

  it('works with for await and ends when the client closes', async () => {
    const iterator = new MessageIterator(undefined, {}, () => {});
    iterator.push(message('x'));
    setTimeout(() => iterator.end(), 5);
    const topics: string[] = [];
    for await (const m of iterator) topics.push(m.topic);
    expect(topics).toEqual(['x']);
  });
});

import { describe, expect, it } from 'vitest';
import { Deque } from './deque.js';

describe('Deque', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const deque = new Deque<number>(2);
    const model: number[] = [];
    let next = 0;
    for (let round = 0; round < 200; round++) {
      const pushes = (round * 7) % 5;
      for (let i = 0; i < pushes; i++) {
        deque.push(next);
        model.push(next++);
      }
      const shifts = (round * 3) % 4;
      for (let i = 0; i < shifts; i++) expect(deque.shift()).toBe(model.shift());
      expect(deque.length).toBe(model.length);
      expect(deque.peek()).toBe(model[0]);
      expect([...deque]).toEqual(model);
    }
    expect(deque.drain()).toEqual(model);
    expect([deque.length, deque.shift(), deque.peek()]).toEqual([0, undefined, undefined]);
  });
});

import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PromptAbortedError, promptHidden, readFirstLine, type TerminalInput } from './prompt-password.js';

/** A fake terminal: a stream that records raw-mode switches. */
function terminal(): { input: TerminalInput & PassThrough; modes: boolean[] } {
  const modes: boolean[] = [];
  const input = Object.assign(new PassThrough(), {
    isTTY: true,
    setRawMode(mode: boolean) {
      modes.push(mode);
      return this;
    },
  });
  return { input, modes };
}

describe('password prompt', () => {
  it('reads a line in raw mode without echoing it, handling backspace and Ctrl-U', async () => {
    const { input, modes } = terminal();
    const output = new PassThrough();
    const answer = promptHidden(input, output, 'Password: ');
    input.write('wrong');
    input.write('\x15'); // Ctrl-U clears
    input.write('sécret');
    input.write('x\x7f'); // typed x, then backspace
    input.write('\r');
    expect(await answer).toBe('sécret');
    expect(output.read().toString()).toBe('Password: \n');
    expect(modes).toEqual([true, false]);
  });

  it('backspace removes a whole multi-byte character', async () => {
    const { input } = terminal();
    const answer = promptHidden(input, new PassThrough(), '');
    input.write('aé\x7f\n');
    expect(await answer).toBe('a');
  });

  it('Ctrl-C and Ctrl-D abort', async () => {
    for (const key of ['\x03', '\x04']) {
      const { input, modes } = terminal();
      const answer = promptHidden(input, new PassThrough(), '');
      input.write(`abc${key}`);
      await expect(answer).rejects.toBeInstanceOf(PromptAbortedError);
      expect(modes).toEqual([true, false]);
    }
  });

  it('from a pipe: the first line, without \\r', async () => {
    expect(await readFirstLine(Readable.from(['pass\r\nsecond\n']))).toBe('pass');
    expect(await readFirstLine(Readable.from(['only']))).toBe('only');
    expect(await readFirstLine(Readable.from([]))).toBeUndefined();
  });
});

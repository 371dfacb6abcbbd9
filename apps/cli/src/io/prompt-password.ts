/**
 * Reads a password from a terminal without echoing it (`mqttkit passwd FILE USER`), or the first line
 * of a pipe when standard input is not a terminal.
 */
import type { Readable, Writable } from 'node:stream';
import { readLines } from './stdin.js';

/** A terminal input stream: a Readable that can switch raw mode (Node's `tty.ReadStream`). */
export interface TerminalInput extends Readable {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Thrown when the user presses Ctrl-C or Ctrl-D at the prompt. */
export class PromptAbortedError extends Error {
  /** Builds the error. */
  constructor() {
    super('cancelled');
    this.name = 'PromptAbortedError';
  }
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const BACKSPACE = 0x7f;
const CTRL_H = 0x08;
const CTRL_U = 0x15;

/**
 * Shows `prompt` on `output` and reads one line from a terminal in raw mode, echoing nothing.
 * Backspace deletes, Ctrl-U clears, Enter ends, Ctrl-C / Ctrl-D reject with `PromptAbortedError`.
 */
export function promptHidden(input: TerminalInput, output: Writable, prompt: string): Promise<string> {
  output.write(prompt);
  return new Promise((resolve, reject) => {
    let bytes: number[] = [];
    const wasRaw = (input as { isRaw?: boolean }).isRaw === true;
    input.setRawMode?.(true);
    input.resume();
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(Buffer.from(bytes).toString('utf8'));
    };
    const onData = (chunk: Buffer | string) => {
      const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      for (const byte of data) {
        if (byte === 13 || byte === 10) return finish();
        if (byte === CTRL_C || byte === CTRL_D) return finish(new PromptAbortedError());
        if (byte === BACKSPACE || byte === CTRL_H) {
          // Remove one whole UTF-8 character: continuation bytes are 10xxxxxx.
          while (bytes.length > 0 && (bytes.at(-1)! & 0xc0) === 0x80) bytes.pop();
          bytes.pop();
        } else if (byte === CTRL_U) bytes = [];
        else bytes.push(byte);
      }
    };
    input.on('data', onData);
  });
}

/** The first line of a non-terminal input (a pipe or file), or undefined when it is empty. */
export async function readFirstLine(input: Readable): Promise<string | undefined> {
  for await (const line of readLines(input, 64 * 1024)) {
    return line.toString('utf8').replace(/\r$/, '');
  }
  return undefined;
}

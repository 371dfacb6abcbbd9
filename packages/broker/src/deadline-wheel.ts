import type { Clock } from './clock.js';

/**
 * Something with a deadline on the wheel. The entry carries its own list links, so scheduling an
 * entry allocates nothing: an idle connection costs three fields, not a timer object and a closure.
 */
export interface WheelEntry {
  wheelNext: WheelEntry | undefined;
  wheelPrev: WheelEntry | undefined;
  /** The slot the entry is linked into, or -1 when it is not scheduled. */
  wheelSlot: number;
  /** When the entry is due, in the wheel's time (`DeadlineWheel.now()`). */
  deadline: number;
  /** Called once the wheel reaches `deadline`; may schedule the entry again. */
  onDeadline(now: number): void;
}

/**
 * A hashed timer wheel (style guide R12): one timer for all connect timeouts and keepalives, with
 * `resolutionMs` precision. Deadlines beyond the wheel's span are parked in its last slot and
 * re-examined, so any delay works. The timer runs only while something is scheduled and never keeps
 * the process alive.
 */
export class DeadlineWheel {
  private readonly clock: Clock;
  /** Clock time when the wheel was made: its own time counts from here. */
  private readonly origin: number;
  private readonly resolutionMs: number;
  private readonly heads: (WheelEntry | undefined)[];
  /** The last tick (now / resolution) whose slot has been processed. */
  private cursor: number;
  private scheduled = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(clock: Clock, resolutionMs = 100, slotCount = 1024) {
    this.clock = clock;
    this.origin = clock.now();
    this.resolutionMs = resolutionMs;
    this.heads = new Array<WheelEntry | undefined>(slotCount).fill(undefined);
    this.cursor = 0;
  }

  /**
   * Milliseconds since the wheel was made: the time base of every deadline on it. Entries keep times
   * in it because they are small integers (for 24 days), which V8 stores inside the object, where a
   * wall-clock millisecond count needs a separate 16-byte number box per field and connection.
   */
  now(): number {
    // Math.floor hands back a small integer as such; a plain difference of two large doubles stays a
    // boxed double even when it is whole, and one such store makes the field a boxed-double field.
    return Math.floor(this.clock.now() - this.origin);
  }

  /** Entries waiting for their deadline. */
  get size(): number {
    return this.scheduled;
  }

  /** Put `entry` on the wheel for `deadline`, replacing any earlier schedule. */
  schedule(entry: WheelEntry, deadline: number): void {
    if (entry.wheelSlot >= 0) this.unlink(entry);
    entry.deadline = deadline;
    const slots = this.heads.length;
    if (this.scheduled === 0) this.cursor = Math.floor(this.now() / this.resolutionMs);
    let tick = Math.ceil(deadline / this.resolutionMs);
    if (tick <= this.cursor) tick = this.cursor + 1;
    // Farther than one turn: park in the farthest slot; it is looked at again then.
    if (tick > this.cursor + slots - 1) tick = this.cursor + slots - 1;
    const slot = tick % slots;
    const head = this.heads[slot];
    entry.wheelPrev = undefined;
    entry.wheelNext = head;
    if (head !== undefined) head.wheelPrev = entry;
    this.heads[slot] = entry;
    entry.wheelSlot = slot;
    if (this.scheduled++ === 0) this.start();
  }

  /** Take `entry` off the wheel; nothing happens if it is not on it. */
  cancel(entry: WheelEntry): void {
    if (entry.wheelSlot < 0) return;
    this.unlink(entry);
    if (this.scheduled === 0) this.stop();
  }

  private unlink(entry: WheelEntry): void {
    const { wheelPrev: prev, wheelNext: next } = entry;
    if (prev === undefined) this.heads[entry.wheelSlot] = next;
    else prev.wheelNext = next;
    if (next !== undefined) next.wheelPrev = prev;
    entry.wheelNext = undefined;
    entry.wheelPrev = undefined;
    entry.wheelSlot = -1;
    this.scheduled--;
  }

  private start(): void {
    this.timer = setTimeout(this.advance, this.resolutionMs);
    this.timer.unref?.();
  }

  private stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Process every slot up to now: due entries fire, early ones (parked) are scheduled again. */
  private readonly advance = (): void => {
    this.timer = undefined;
    const now = this.now();
    const target = Math.floor(now / this.resolutionMs);
    const slots = this.heads.length;
    // After a long stall (a paused process), one full turn covers every slot.
    if (target - this.cursor > slots) this.cursor = target - slots;
    while (this.cursor < target && this.scheduled > 0) {
      this.cursor++;
      const slot = this.cursor % slots;
      let entry = this.heads[slot];
      this.heads[slot] = undefined;
      while (entry !== undefined) {
        const next = entry.wheelNext;
        entry.wheelNext = undefined;
        entry.wheelPrev = undefined;
        entry.wheelSlot = -1;
        this.scheduled--;
        if (entry.deadline <= now) entry.onDeadline(now);
        else this.schedule(entry, entry.deadline);
        entry = next;
      }
    }
    if (this.scheduled > 0 && this.timer === undefined) this.start();
  };
}

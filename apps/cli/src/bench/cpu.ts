/**
 * CPU use as a percentage of one core: this process (`process.cpuUsage`) and, with `--broker-pid`, the
 * broker's (`/proc/<pid>/stat` utime + stime), sampled between two calls.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc; undefined when unreadable. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, so 12 and 13 after the name.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds this process has used. */
export function selfCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Measures CPU % of one core between `sample()` calls, for this process and optionally a broker. */
export class CpuMeter {
  readonly #brokerPid: number | undefined;
  #lastWall = performance.now();
  #lastSelf = selfCpuSeconds();
  #lastBroker: number | undefined;
  readonly #startWall = this.#lastWall;
  readonly #startSelf = this.#lastSelf;
  readonly #startBroker: number | undefined;

  /** Starts measuring now. */
  constructor(brokerPid: number | undefined) {
    this.#brokerPid = brokerPid;
    this.#lastBroker = brokerPid === undefined ? undefined : procCpuSeconds(brokerPid);
    this.#startBroker = this.#lastBroker;
  }

  /** CPU % since the previous sample (or the start). */
  sample(): { self: number; broker: number | undefined } {
    const wall = performance.now();
    const self = selfCpuSeconds();
    const broker = this.#brokerPid === undefined ? undefined : procCpuSeconds(this.#brokerPid);
    const seconds = Math.max(1e-6, (wall - this.#lastWall) / 1000);
    const result = {
      self: ((self - this.#lastSelf) / seconds) * 100,
      broker:
        broker === undefined || this.#lastBroker === undefined
          ? undefined
          : ((broker - this.#lastBroker) / seconds) * 100,
    };
    this.#lastWall = wall;
    this.#lastSelf = self;
    this.#lastBroker = broker;
    return result;
  }

  /** CPU % over the whole run so far. */
  total(): { self: number; broker: number | undefined } {
    const seconds = Math.max(1e-6, (performance.now() - this.#startWall) / 1000);
    const broker = this.#brokerPid === undefined ? undefined : procCpuSeconds(this.#brokerPid);
    return {
      self: ((selfCpuSeconds() - this.#startSelf) / seconds) * 100,
      broker:
        broker === undefined || this.#startBroker === undefined
          ? undefined
          : ((broker - this.#startBroker) / seconds) * 100,
    };
  }
}

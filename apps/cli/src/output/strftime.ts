/**
 * The time pieces of mosquitto_sub's `-F`: `@X` strftime sequences, `%I` (ISO-8601 local time with
 * offset) and `%U` (Unix time with nanoseconds). Only the common strftime letters are supported; an
 * unknown one is printed as written.
 */

/** A moment with sub-millisecond precision: epoch milliseconds as a float. */
export type PreciseTime = number;

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(value: number, width: number, fill = '0'): string {
  return String(value).padStart(width, fill);
}

/** `+0100` style offset of local time from UTC at `date`. */
export function utcOffset(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

/** Nanoseconds within the current second (from a time with microsecond precision). */
export function nanosOfSecond(time: PreciseTime): number {
  const micros = Math.floor(time * 1000);
  return (((micros % 1_000_000) + 1_000_000) % 1_000_000) * 1000;
}

/** Day of the year, 1..366, in local time. */
function dayOfYear(date: Date): number {
  const start = new Date(date.getFullYear(), 0, 1);
  return Math.floor((date.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** Formats one strftime conversion letter for `time` (local time); undefined when unsupported. */
export function strftimeLetter(letter: string, time: PreciseTime): string | undefined {
  const date = new Date(Math.floor(time));
  const hours12 = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  switch (letter) {
    case 'Y':
      return String(date.getFullYear());
    case 'y':
      return pad(date.getFullYear() % 100, 2);
    case 'm':
      return pad(date.getMonth() + 1, 2);
    case 'd':
      return pad(date.getDate(), 2);
    case 'e':
      return pad(date.getDate(), 2, ' ');
    case 'H':
      return pad(date.getHours(), 2);
    case 'I':
      return pad(hours12, 2);
    case 'M':
      return pad(date.getMinutes(), 2);
    case 'S':
      return pad(date.getSeconds(), 2);
    case 'p':
      return date.getHours() < 12 ? 'AM' : 'PM';
    case 'j':
      return pad(dayOfYear(date), 3);
    case 'a':
      return DAYS[date.getDay()]!.slice(0, 3);
    case 'A':
      return DAYS[date.getDay()]!;
    case 'b':
    case 'h':
      return MONTHS[date.getMonth()]!.slice(0, 3);
    case 'B':
      return MONTHS[date.getMonth()]!;
    case 'z':
      return utcOffset(date);
    case 's':
      return String(Math.floor(time / 1000));
    case 'N':
      // mosquitto's extension: nanoseconds within the second.
      return pad(nanosOfSecond(time), 9);
    case 'F':
      return `${date.getFullYear()}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}`;
    case 'T':
      return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}`;
    case 'R':
      return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}`;
    case 'D':
      return `${pad(date.getMonth() + 1, 2)}/${pad(date.getDate(), 2)}/${pad(date.getFullYear() % 100, 2)}`;
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case '@':
      return '@';
    default:
      return undefined;
  }
}

/** `%I`: ISO-8601 local date and time with offset, e.g. `2016-08-10T09:47:38+0100`. */
export function isoLocal(time: PreciseTime): string {
  const date = new Date(Math.floor(time));
  return `${strftimeLetter('F', time)}T${strftimeLetter('T', time)}${utcOffset(date)}`;
}

/** `%U`: Unix time with nanoseconds, e.g. `1470818943.786368637`. */
export function unixWithNanos(time: PreciseTime): string {
  return `${Math.floor(time / 1000)}.${pad(nanosOfSecond(time), 9)}`;
}

/** The `tst` field of mosquitto's `%j`: UTC with microseconds, `2020-05-06T22:12:00.000000Z+0000`. */
export function mosquittoJsonTime(time: PreciseTime): string {
  const iso = new Date(Math.floor(time)).toISOString().slice(0, 19);
  const micros = Math.floor(nanosOfSecond(time) / 1000);
  return `${iso}.${pad(micros, 6)}Z+0000`;
}

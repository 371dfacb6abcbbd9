/**
 * The `$SYS` tree, after Mosquitto's (`src/sys_tree.c`): the broker publishes its own counters as
 * retained QoS 0 messages every `sys.interval` seconds, each topic only when its value changed (the
 * version once, at start). Subscribe to `$SYS/#` to watch them; a `#` subscription does not match
 * them [MQTT-4.7.2-1], and clients cannot publish under `$SYS`.
 *
 * Load averages are Mosquitto's: on each update the count since the last one becomes a rate per
 * minute, `rate = delta * 60 / elapsed`, and each average moves towards it with the damping of a
 * 1, 5 or 15 minute window, `load = rate + exp(-elapsed / window) * (load - rate)`, like the Unix load
 * average. They are published with two decimals.
 */
import type { BrokerStats, DropReason } from '@mqttkit/broker';

/** What the `$SYS` tree reads from the broker. */
export interface SysSource {
  readonly stats: BrokerStats;
  readonly version: string;
  /** Sessions known, connected or not. */
  sessionCount(): number;
  /** Subscriptions and retained messages now. */
  counts(): { subscriptions: number; retained: number };
  /** Drops per reason since start. */
  readonly dropsByReason: Readonly<Record<DropReason, number>>;
  /** Sessions expired since start. */
  sessionsExpired(): number;
}

/** Publishes one retained `$SYS` message. */
export type SysPublish = (topic: string, payload: string) => void;

/** The counters load averages are computed from. */
export interface LoadCounters {
  /** Control packets of every type (Mosquitto's "messages"). */
  messagesReceived: number;
  messagesSent: number;
  /** PUBLISH packets. */
  publishReceived: number;
  publishSent: number;
  publishDropped: number;
  bytesReceived: number;
  bytesSent: number;
  /** CONNECTs accepted. */
  connections: number;
  /** Network connections opened, CONNECT or not (Mosquitto's "sockets"). */
  sockets: number;
}

/** The three averaging windows, in seconds, and their topic suffixes. */
const WINDOWS = [
  ['1min', 60],
  ['5min', 300],
  ['15min', 900],
] as const;

/** Load topic for each counter (under `$SYS/broker/load/`). */
const LOAD_TOPICS: Readonly<Record<keyof LoadCounters, string>> = {
  messagesReceived: 'messages/received',
  messagesSent: 'messages/sent',
  publishReceived: 'publish/received',
  publishSent: 'publish/sent',
  publishDropped: 'publish/dropped',
  bytesReceived: 'bytes/received',
  bytesSent: 'bytes/sent',
  connections: 'connections',
  sockets: 'sockets',
};

/**
 * One step of Mosquitto's load average: `delta` events over `elapsedSeconds` as a rate per minute,
 * damped into `current` over a window of `windowSeconds`.
 */
export function dampedLoad(
  current: number,
  delta: number,
  elapsedSeconds: number,
  windowSeconds: number,
): number {
  if (elapsedSeconds <= 0) return current;
  const rate = (delta * 60) / elapsedSeconds;
  return rate + Math.exp(-elapsedSeconds / windowSeconds) * (current - rate);
}

/** The 1, 5 and 15 minute load averages of every counter. */
export class LoadAverages {
  private last: LoadCounters;
  private readonly loads = new Map<string, number>();

  constructor(initial: LoadCounters) {
    this.last = { ...initial };
    for (const key of Object.keys(LOAD_TOPICS))
      for (const [suffix] of WINDOWS) this.loads.set(`${key}/${suffix}`, 0);
  }

  /** Folds in the counters `elapsedSeconds` after the previous call; returns each load by topic. */
  update(counters: LoadCounters, elapsedSeconds: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const key of Object.keys(LOAD_TOPICS) as (keyof LoadCounters)[]) {
      const delta = Math.max(0, counters[key] - this.last[key]);
      for (const [suffix, window] of WINDOWS) {
        const id = `${key}/${suffix}`;
        const value = dampedLoad(this.loads.get(id)!, delta, elapsedSeconds, window);
        this.loads.set(id, value);
        out.set(`$SYS/broker/load/${LOAD_TOPICS[key]}/${suffix}`, value);
      }
    }
    this.last = { ...counters };
    return out;
  }
}

/** Reads the load counters from broker stats. */
export function loadCounters(stats: BrokerStats): LoadCounters {
  return {
    messagesReceived: stats.packetsReceived,
    messagesSent: stats.packetsSent,
    publishReceived: stats.messagesReceived,
    publishSent: stats.messagesSent,
    publishDropped: stats.messagesDropped,
    bytesReceived: stats.bytesReceived,
    bytesSent: stats.bytesSent,
    connections: stats.clientsTotal,
    sockets: stats.connectionsTotal,
  };
}

/** Options of `SysTopics`. */
export interface SysTopicsOptions {
  /** Seconds between updates; 0 publishes nothing. */
  intervalSeconds: number;
  /** Milliseconds clock; `Date.now` by default. */
  now?: () => number;
  /** Heap in use, in bytes; `process.memoryUsage().heapUsed` by default. */
  heapUsed?: () => number;
}

/** Publishes the `$SYS` tree on an interval. */
export class SysTopics {
  private readonly source: SysSource;
  private readonly publish: SysPublish;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly heapUsed: () => number;
  private readonly published = new Map<string, string>();
  private loads: LoadAverages | undefined;
  private lastUpdate = 0;
  private heapMaximum = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(source: SysSource, publish: SysPublish, options: SysTopicsOptions) {
    this.source = source;
    this.publish = publish;
    this.intervalMs = options.intervalSeconds * 1000;
    this.now = options.now ?? Date.now;
    this.heapUsed = options.heapUsed ?? (() => process.memoryUsage().heapUsed);
  }

  /** Publishes the tree now and then every interval (nothing when the interval is 0). */
  start(): void {
    if (this.intervalMs === 0 || this.timer !== undefined) return;
    this.update();
    this.timer = setInterval(() => this.update(), this.intervalMs);
    // The tree must not keep a stopping process alive.
    this.timer.unref();
  }

  /** Stops publishing. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Computes every value and publishes those that changed since they were last published. */
  update(): void {
    for (const [topic, value] of this.compute()) {
      if (this.published.get(topic) === value) continue;
      this.published.set(topic, value);
      this.publish(topic, value);
    }
  }

  /** Every `$SYS` topic with its current value, as published; advances the load averages. */
  compute(): Map<string, string> {
    const { stats, version } = this.source;
    const now = this.now();
    const counters = loadCounters(stats);
    let loads: Map<string, number>;
    if (this.loads === undefined) {
      // The first update starts the averages at 0 (Mosquitto publishes 0.00 first, too).
      this.loads = new LoadAverages(counters);
      loads = this.loads.update(counters, 0);
    } else {
      loads = this.loads.update(counters, (now - this.lastUpdate) / 1000);
    }
    this.lastUpdate = now;
    const sessions = this.source.sessionCount();
    const { subscriptions, retained } = this.source.counts();
    const heap = this.heapUsed();
    if (heap > this.heapMaximum) this.heapMaximum = heap;
    const values = new Map<string, string>([
      ['$SYS/broker/version', `mqttkit-broker version ${version}`],
      ['$SYS/broker/uptime', `${Math.floor((now - stats.startedAt) / 1000)} seconds`],
      ['$SYS/broker/clients/connected', String(stats.clientsConnected)],
      ['$SYS/broker/clients/total', String(sessions)],
      ['$SYS/broker/clients/maximum', String(stats.clientsMaximum)],
      ['$SYS/broker/clients/disconnected', String(Math.max(0, sessions - stats.clientsConnected))],
      ['$SYS/broker/clients/expired', String(this.source.sessionsExpired())],
      ['$SYS/broker/messages/received', String(stats.packetsReceived)],
      ['$SYS/broker/messages/sent', String(stats.packetsSent)],
      ['$SYS/broker/messages/dropped', String(stats.messagesDropped)],
      ['$SYS/broker/publish/messages/received', String(stats.messagesReceived)],
      ['$SYS/broker/publish/messages/sent', String(stats.messagesSent)],
      ['$SYS/broker/publish/messages/dropped', String(stats.messagesDropped)],
      ['$SYS/broker/bytes/received', String(stats.bytesReceived)],
      ['$SYS/broker/bytes/sent', String(stats.bytesSent)],
      ['$SYS/broker/subscriptions/count', String(subscriptions)],
      ['$SYS/broker/retained messages/count', String(retained)],
      ['$SYS/broker/heap/current', String(heap)],
      ['$SYS/broker/heap/maximum', String(this.heapMaximum)],
    ]);
    for (const [reason, count] of Object.entries(this.source.dropsByReason)) {
      values.set(`$SYS/broker/publish/messages/dropped/${reason}`, String(count));
    }
    for (const [topic, value] of loads) values.set(topic, value.toFixed(2));
    return values;
  }
}

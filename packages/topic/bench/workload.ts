/**
 * The benchmark's workload: a device tree `site/{s}/device/{d}/{metric}` with 100 devices per site and
 * 10 metrics, sized so that it holds as many distinct topics as there are subscriptions. Filters are
 * 70% exact, 20% with a `+` (device or metric level) and 10% with a `#` (device or site level).
 */

export const DEVICES_PER_SITE = 100;
export const METRICS = [
  'temperature',
  'humidity',
  'pressure',
  'voltage',
  'current',
  'power',
  'rssi',
  'status',
  'uptime',
  'firmware',
];

/** A small deterministic PRNG (mulberry32), so every run and every library sees the same workload. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  /** Filters in subscription order. */
  readonly filters: string[];
  /** The subscriber number of each filter. */
  readonly owners: number[];
  readonly subscriberCount: number;
  /** Topics to publish on, drawn from the whole tree. */
  readonly topics: string[];
}

/** `count` subscriptions by `count / 10` subscribers over a tree of about `count` topics. */
export function subscriptionWorkload(count: number, topicCount: number, seed: number): Workload {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const sites = Math.max(1, Math.round(count / (DEVICES_PER_SITE * METRICS.length)));
  const subscriberCount = Math.max(1, Math.floor(count / 10));
  const filters: string[] = new Array(count);
  const owners: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const site = pick(sites);
    const device = pick(DEVICES_PER_SITE);
    const metric = METRICS[pick(METRICS.length)];
    const kind = next();
    let filter: string;
    if (kind < 0.7) filter = `site/${site}/device/${device}/${metric}`;
    else if (kind < 0.8) filter = `site/${site}/device/+/${metric}`;
    else if (kind < 0.9) filter = `site/${site}/device/${device}/+`;
    else if (kind < 0.95) filter = `site/${site}/device/${device}/#`;
    else filter = `site/${site}/#`;
    filters[i] = filter;
    owners[i] = pick(subscriberCount);
  }
  const topics: string[] = new Array(topicCount);
  for (let i = 0; i < topicCount; i++) {
    topics[i] = `site/${pick(sites)}/device/${pick(DEVICES_PER_SITE)}/${METRICS[pick(METRICS.length)]}`;
  }
  return { filters, owners, subscriberCount, topics };
}

/** Every topic of a tree of `sites` sites, and wildcard filters to look retained messages up with. */
export function retainedWorkload(sites: number, filterCount: number, seed: number) {
  const next = random(seed);
  const pick = (n: number) => Math.floor(next() * n);
  const topics: string[] = [];
  for (let s = 0; s < sites; s++) {
    for (let d = 0; d < DEVICES_PER_SITE; d++)
      for (const metric of METRICS) topics.push(`site/${s}/device/${d}/${metric}`);
  }
  const filters: string[] = new Array(filterCount);
  for (let i = 0; i < filterCount; i++) {
    const site = pick(sites);
    const device = pick(DEVICES_PER_SITE);
    const metric = METRICS[pick(METRICS.length)];
    const kind = next();
    // A new subscriber's view: one device, one metric everywhere on a site, a whole site.
    if (kind < 0.4) filters[i] = `site/${site}/device/${device}/+`;
    else if (kind < 0.7) filters[i] = `site/${site}/device/+/${metric}`;
    else if (kind < 0.9) filters[i] = `site/${site}/device/${device}/#`;
    else filters[i] = `site/${site}/#`;
  }
  return { topics, filters };
}

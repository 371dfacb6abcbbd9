import type { ListenerConfig } from './schema.js';

/**
 * Settings from one source (file, environment or flags), already checked. Layers are merged in order
 * of precedence by `resolveConfig`; a layer only holds what its source actually set.
 */
export interface ConfigLayer {
  /** Valid scalar values by setting path (`limits.maximumPacketSize`). */
  readonly values: Map<string, unknown>;
  /** The whole listener list, when the source defines one (config files only). */
  listeners?: ListenerConfig[];
  /** Host and port for the first tcp listener (`--host`/`--port`, `MQTTKIT_HOST`/`MQTTKIT_PORT`). */
  readonly listenerOverrides: { host?: string; port?: number };
}

/** A layer that sets nothing. */
export function emptyLayer(): ConfigLayer {
  return { values: new Map(), listenerOverrides: {} };
}

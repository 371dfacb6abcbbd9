/**
 * The settings each broker runs with, in one place so the README and the printed report cannot
 * drift from what ran. Queue and in-flight limits are raised to the same values on mqttkit and
 * Mosquitto; Aedes has no per-client queue or in-flight limit for online clients.
 */
import type { BrokerLimits } from '@mqttkit/broker';

/**
 * Outbound QoS 1/2 messages in flight per subscriber: the whole packet-id space, far above the
 * 900 the QoS 1 row keeps in flight. Not 1000: with max_inflight_messages 20 or 1000, Mosquitto
 * 2.0.11 strands QoS 1 messages under this load even with fewer than 1000 in flight (packet ids
 * assigned, never sent); with 0 or 65535 it does not. See README.
 */
export const MAX_INFLIGHT = 65_535;
/** Messages queued per subscriber beyond the in-flight window. */
export const MAX_QUEUED = 100_000;

export const MQTTKIT_LIMITS: Partial<BrokerLimits> = {
  maximumInflight: MAX_INFLIGHT,
  maximumQueuedMessages: MAX_QUEUED,
};

/**
 * Aedes options (JSON, handed to `Aedes.createBroker`): none, so its defaults apply: concurrency
 * 100, drainTimeout 60 s, queueLimit 42 (messages before CONNACK only), in-memory persistence.
 */
export const AEDES_OPTIONS: Record<string, never> = {};

/** mosquitto.conf lines besides the listener. Logging is cut to errors/warnings so it costs nothing. */
export const MOSQUITTO_CONF: readonly string[] = [
  'allow_anonymous true',
  'persistence false',
  `max_inflight_messages ${MAX_INFLIGHT}`,
  `max_queued_messages ${MAX_QUEUED}`,
  'log_dest stderr',
  'log_type error',
  'log_type warning',
  'connection_messages false',
];

import { CONNECTION_HELP } from './connection-help.js';

/** `mqttkit sub --help`. */
export const SUB_HELP = `Usage: mqttkit sub -t FILTER [-t FILTER ...] [options]

Subscribes and prints messages like mosquitto_sub, with the same options and output.

Subscription:
  -t, --topic FILTER       topic filter to subscribe to (repeatable)
  -T, --filter-out FILTER  do not print messages matching FILTER (repeatable)
  -U, --unsubscribe FILTER unsubscribe from FILTER (repeatable)
  -q, --qos QOS            subscription QoS (default 0)
  -C, --count N            exit after N messages
  -W, --timeout SECONDS    exit after SECONDS (code 27 if -C was not reached first)
  -R, --no-stale           do not print retained messages
  --retained-only          print retained messages; exit at the first fresh one
  --remove-retained        clear every retained message received
  --retain-as-published    v5 subscription option
  -E                       exit once subscribed

Output:
  (default)                the payload
  -v, --verbose            "topic payload"
  -F, --format FORMAT      mosquitto format: %t topic, %p payload, %q qos, %r retain, %m message id,
                           %l length, %x/%X hex payload, %P user properties, %C content type,
                           %D correlation data, %E expiry, %F format indicator, %R response topic,
                           %A topic alias, %S subscription ids, %I ISO time, %U Unix time,
                           %j/%J JSON, @Y @m @d @H @M @S @z @N ... strftime, \\n \\t \\0 escapes
  -N, --no-eol             no newline after each message
  --json                   one JSON object per message (topic, payload, qos, retain, properties,
                           received)
  --pretty                 indented JSON (%j, %J, --json)

${CONNECTION_HELP}
Exit codes: 0 done (-C reached, -E, a signal); 27 -W expired before -C; 1-5 (3.x) or 128-162 (v5) the
CONNACK code when the connection is refused; 1 bad arguments or other errors.
`;

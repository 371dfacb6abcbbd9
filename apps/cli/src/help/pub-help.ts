import { CONNECTION_HELP } from './connection-help.js';

/** `mqttkit pub --help`. */
export const PUB_HELP = `Usage: mqttkit pub -t TOPIC {-m TEXT | -f FILE | -s | -l | -n} [options]

Publishes like mosquitto_pub, with the same options and exit codes.

Message:
  -t, --topic TOPIC        topic to publish to
  -m, --message TEXT       the message
  -f, --file FILE          the file's content as the message
  -s, --stdin-file         all of standard input as one message
  -l, --stdin-line         one message per line of standard input
  -n, --null-message       an empty message
  -q, --qos QOS            0, 1 or 2 (default 0)
  -r, --retain             retain the message
  --repeat N               publish the message N times
  --repeat-delay SECONDS   wait between repeats
  -e, --response-topic T   v5 request/response (as mosquitto_rr): wait for one response on T,
                           print it (-v, -F, -N, --json, --pretty apply); -W SECONDS bounds the wait

${CONNECTION_HELP}
Exit codes: 0 done; 1 bad arguments, refused message or other error; 1-5 (3.x) or 128-162 (v5) the
CONNACK code when the connection is refused; 27 when -e's wait times out.
`;

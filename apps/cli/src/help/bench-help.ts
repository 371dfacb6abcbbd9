/** `mqttkit bench --help`. */
export const BENCH_HELP = `Usage: mqttkit bench conn|pub|sub [options]

Loads a broker like emqtt-bench: many raw connections, pre-encoded packets, one write per client per
event-loop turn. Prints a line per second and a summary (--json: the summary as JSON on stdout).
Run "bench sub" and "bench pub" together (two processes) for end-to-end latency: pub stamps each
payload (when -s >= 12) and sub computes latency percentiles from the stamps.

  conn     open -c connections at -R per second; hold them for --duration; connect latency
  pub      each client publishes to -t at --rate msg/s (or every -I ms; -I 0 = as fast as possible)
  sub      each client subscribes to -t and counts messages; end-to-end latency

Options:
  -h, --host HOST          broker host (default localhost)
  -p, --port PORT          broker port (default 1883)
  -u, --username USER      user name
  -P, --password PASSWORD  password
  -V, --version V          3 | 4 | 5 (or mqttv31, mqttv311, mqttv5); default 4
  -c, --count N            number of clients (default 1)
  -R, --connrate N         connections per second (default 1000; 0 = no pacing)
  -i, --interval MS        or: milliseconds between connections
  -I, --interval_of_msg MS pub: milliseconds between messages per client (default 1000; 0 = no limit)
  --rate N                 pub: messages per second per client (instead of -I)
  -q, --qos QOS            0, 1 or 2 (default 0)
  -s, --size BYTES         pub: payload size (default 256; >= 12 carries a timestamp)
  -t, --topic PATTERN      topic (sub: filter); %i = client index, %c = client id
                           (default mqttkit/bench/%i)
  -r, --retain             pub: retained messages
  -L, --limit N            stop after N messages in total (pub: sent, sub: received)
  -d, --duration SECONDS   run time (pub: from the first connection; conn: after all connected)
  -F, --inflight N         pub: unacknowledged QoS 1/2 messages per client (default 64)
  -k, --keepalive SECONDS  keep alive (default 300)
  -n, --startnumber N      index of the first client (default 1)
  --prefix PREFIX          client ids are PREFIX + mode + '-' + index
  --broker-pid PID         also report the broker's CPU use (from /proc/PID/stat)
  --json                   print the summary as JSON (live lines go to stderr)
  --quiet                  no live lines
  --help                   this help
`;

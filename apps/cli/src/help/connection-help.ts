/** The connection options' help, shared by `pub` and `sub`. */
export const CONNECTION_HELP = `Connection:
  -h, --host HOST          broker host (default localhost)
  -p, --port PORT          broker port (default 1883, or 8883 with TLS)
  -L, --url URL            mqtt(s)://[user[:password]@]host[:port]/topic
  -u, --username USER      user name
  -P, --pw PASSWORD        password
  -i, --id ID              client id (default: random for 3.x, server-assigned for v5)
  -I, --id-prefix PREFIX   client id = PREFIX + process id
  -k, --keepalive SECONDS  keep alive (default 60; 0 = off)
  -c, --disable-clean-session
                           keep the session (needs -i or -I; v5: never expires unless -x)
  -x SECONDS               v5 session expiry interval (-1 = never)
  -V, --protocol-version V mqttv31 | mqttv311 | mqttv5 (also 31, 311, 5); default mqttv311,
                           or mqttv5 when -D is given
  -D, --property CMD ID VALUE
                           v5 property, mosquitto style: -D publish content-type text/plain,
                           -D connect session-expiry-interval 60, -D publish user-property k v
  --will-topic TOPIC, --will-payload TEXT, --will-qos QOS, --will-retain
  --cafile FILE            trusted CA certificates (PEM); turns TLS on
  --cert FILE, --key FILE  client certificate and key (PEM)
  --insecure               do not check the server certificate's host name
  -d, --debug              print mosquitto-style protocol lines
  --quiet                  do not print runtime errors
  --json                   JSON output (see the README)
  --help                   this help
`;

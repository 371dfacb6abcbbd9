import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PubArgs, parsePubArgs } from './pub-args.js';

/** Connection options are shared by pub and sub; they are tested through pub. */
function pub(...argv: string[]): PubArgs {
  const args = parsePubArgs(['-t', 't', '-m', 'm', ...argv]);
  if (args.help) throw new Error('unexpected --help');
  return args;
}

describe('connection options', () => {
  it('defaults like mosquitto: localhost:1883, MQTT 3.1.1, keepalive 60, clean session', () => {
    const { connection } = pub();
    expect(connection.url).toBe('mqtt://localhost:1883');
    expect(connection.protocolVersion).toBe(4);
    expect(connection.options).toEqual({ protocolVersion: 4, keepAlive: 60, clean: true });
    expect(connection).toMatchObject({ debug: false, quiet: false, json: false, urlTopic: undefined });
  });

  it('reads host, port, credentials, id, keepalive, version (long and short names)', () => {
    const { connection } = pub(
      '-h',
      'broker.example',
      '--port',
      '1884',
      '-u',
      'alice',
      '--pw',
      's3cret',
      '--id',
      'me',
      '-k',
      '5',
      '-V',
      'mqttv31',
      '-d',
      '--quiet',
      '--json',
      '--nodelay',
    );
    expect(connection.url).toBe('mqtt://broker.example:1884');
    expect(connection.options).toEqual({
      protocolVersion: 3,
      keepAlive: 5,
      clean: true,
      clientId: 'me',
      username: 'alice',
      password: 's3cret',
    });
    expect(connection).toMatchObject({ debug: true, quiet: true, json: true });
  });

  it('accepts every -V spelling', () => {
    for (const [text, level] of [
      ['mqttv31', 3],
      ['31', 3],
      ['mqttv311', 4],
      ['311', 4],
      ['mqttv5', 5],
      ['5', 5],
      ['MQTTv5', 5],
    ] as const) {
      expect(pub('-V', text).connection.protocolVersion).toBe(level);
    }
  });

  it('v5 sends an empty client id (the server assigns one), as mosquitto does; -I appends the pid', () => {
    expect(pub('-V', '5').connection.options.clientId).toBe('');
    expect(pub('-I', 'pre-').connection.options.clientId).toBe(`pre-${process.pid}`);
  });

  it('-c keeps the session: clean false, and for v5 a session that never expires unless -x says', () => {
    expect(pub('-c', '-i', 'keep').connection.options).toMatchObject({ clean: false, clientId: 'keep' });
    expect(pub('-c', '-i', 'keep', '-V', '5').connection.options.properties).toEqual({
      sessionExpiryInterval: 0xffffffff,
    });
    expect(pub('-c', '-i', 'keep', '-V', '5', '-x', '120').connection.options.properties).toEqual({
      sessionExpiryInterval: 120,
    });
    expect(pub('-i', 'x', '-V', '5', '-x', '-1').connection.options.properties).toEqual({
      sessionExpiryInterval: 0xffffffff,
    });
    expect(pub('-i', 'x', '-V', '5', '-x', '0').connection.options.properties).toBeUndefined();
  });

  it('-D implies MQTT 5 and puts connect properties on CONNECT', () => {
    const { connection } = pub(
      '-D',
      'connect',
      'receive-maximum',
      '5',
      '-D',
      'disconnect',
      'user-property',
      'bye',
      'now',
    );
    expect(connection.protocolVersion).toBe(5);
    expect(connection.options.properties).toEqual({ receiveMaximum: 5 });
    expect(connection.disconnectProperties).toEqual({ userProperties: [['bye', 'now']] });
  });

  it('-L gives scheme, credentials, host, port and topic; explicit options win', () => {
    const { connection, topic } = pub('-L', 'mqtt://bob:p%40ss@10.0.0.1:1999/a/b%20c');
    expect(connection.url).toBe('mqtt://10.0.0.1:1999');
    expect(connection.options).toMatchObject({ username: 'bob', password: 'p@ss' });
    expect(connection.urlTopic).toBe('a/b c');
    expect(topic).toBe('t');
    const url = parsePubArgs(['-L', 'mqtts://host/x', '-m', 'm', '-p', '9000']);
    if (url.help) throw new Error('help');
    expect(url.topic).toBe('x');
    expect(url.connection.url).toBe('mqtts://host:9000');
  });

  it('TLS: --cafile, --cert/--key read PEM files; port 8883 or mqtts:// turn TLS on; --insecure skips the host name check only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqttkit-cli-tls-'));
    for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, name), `PEM ${name}`);
    const { connection } = pub(
      '--cafile',
      join(dir, 'ca.pem'),
      '--cert',
      join(dir, 'cert.pem'),
      '--key',
      join(dir, 'key.pem'),
      '--insecure',
    );
    expect(connection.url).toBe('mqtts://localhost:8883');
    expect(connection.options.tls).toEqual({
      ca: 'PEM ca.pem',
      cert: 'PEM cert.pem',
      key: 'PEM key.pem',
      checkServerName: false,
    });
    expect(pub('-p', '8883').connection.url).toBe('mqtts://localhost:8883');
    expect(pub('-h', '::1').connection.url).toBe('mqtt://[::1]:1883');
  });

  it('a will from --will-*, with -D will properties', () => {
    const { connection } = pub(
      '--will-topic',
      'bye',
      '--will-payload',
      'gone',
      '--will-qos',
      '2',
      '--will-retain',
      '-D',
      'will',
      'will-delay-interval',
      '5',
    );
    expect(connection.options.will).toEqual({
      topic: 'bye',
      payload: 'gone',
      qos: 2,
      retain: true,
      properties: { willDelayInterval: 5 },
    });
    expect(pub('--will-topic', 'x').connection.options.will).toEqual({
      topic: 'x',
      payload: '',
      qos: 0,
      retain: false,
    });
  });

  it('errors are one readable line naming the option', () => {
    const cases: [string[], string][] = [
      [['-p', '0'], "mqttkit pub: -p must be an integer from 1 to 65535, got '0'"],
      [['--port', 'http'], "mqttkit pub: --port must be an integer from 1 to 65535, got 'http'"],
      [['-k', '-5'], "mqttkit pub: -k must be an integer from 0 to 65535, got '-5'"],
      [['-V', 'mqttv4'], "mqttkit pub: -V must be mqttv31, mqttv311 or mqttv5 (or 31, 311, 5), got 'mqttv4'"],
      [['-P', 'pw'], 'mqttkit pub: -P needs -u before MQTT 5'],
      [['-i', 'a', '-I', 'b'], 'mqttkit pub: -i and -I cannot be used together'],
      [['-c'], 'mqttkit pub: -c needs a client id (-i or -I)'],
      [['-c', '-V', '5'], 'mqttkit pub: -c needs a client id (-i or -I)'],
      [['-x', '60'], 'mqttkit pub: -x needs MQTT 5 (-V mqttv5)'],
      [
        ['-V', '5', '-x', '60'],
        'mqttkit pub: -x with a session that outlives the connection needs a client id',
      ],
      [
        ['-V', '5', '-x', '4294967296'],
        "mqttkit pub: -x must be an integer from 0 to 4294967294, got '4294967296'",
      ],
      [
        ['-V', '311', '-D', 'publish', 'content-type', 'x'],
        'mqttkit pub: -D properties need MQTT 5 (-V mqttv5)',
      ],
      [['--cert', 'c.pem'], 'mqttkit pub: --cert and --key go together'],
      [
        ['--key', '/nonexistent/k.pem', '--cert', '/nonexistent/c.pem'],
        "mqttkit pub: --cert: cannot read '/nonexistent/c.pem' (ENOENT)",
      ],
      [['--will-payload', 'x'], 'mqttkit pub: --will-payload needs --will-topic'],
      [['--will-retain'], 'mqttkit pub: --will-retain needs --will-topic'],
      [['-V', '5', '-D', 'will', 'content-type', 'x'], 'mqttkit pub: -D will ... needs --will-topic'],
      [['--will-topic', 't', '--will-qos', '3'], 'mqttkit pub: --will-qos must be 0, 1 or 2'],
      [['-L', 'not a url'], "mqttkit pub: -L: not a URL: 'not a url'"],
      [['-L', 'ws://host/t'], "mqttkit pub: -L: the URL must start with mqtt:// or mqtts://, got 'ws://'"],
    ];
    for (const [argv, message] of cases) {
      expect(() => pub(...argv), argv.join(' ')).toThrow(message);
    }
  });
});

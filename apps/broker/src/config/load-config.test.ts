import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '@mqttkit/broker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from './config-error.js';
import { parseFlags } from './flags.js';
import { loadConfig } from './load-config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mqttkit-broker-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** The lines a failed load prints. */
async function errorLines(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  try {
    await loadConfig(parseFlags(argv), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('defaults to one tcp listener on 0.0.0.0:1883, the broker limits and info logging', async () => {
    const { config, warnings } = await loadConfig(parseFlags([]), {});
    expect(config).toEqual({
      listeners: [{ protocol: 'tcp', host: '0.0.0.0', port: 1883 }],
      limits: DEFAULT_LIMITS,
      log: { level: 'info', pretty: 'auto' },
      auth: {},
      sys: { interval: 10 },
      metrics: { host: '127.0.0.1' },
    });
    expect(warnings).toEqual([]);
  });

  it('reads YAML and JSON files', async () => {
    const yaml = await file('b.yaml', 'limits:\n  maximumInflight: 7\nlog:\n  level: debug\n');
    const json = await file('b.json', '{"limits": {"maximumInflight": 8}, "listeners": [{"port": 1999}]}');
    const fromYaml = await loadConfig(parseFlags(['-c', yaml]), {});
    expect(fromYaml.config.limits.maximumInflight).toBe(7);
    expect(fromYaml.config.log.level).toBe('debug');
    expect(fromYaml.configFile).toBe(yaml);
    const fromJson = await loadConfig(parseFlags(['--config', json]), {});
    expect(fromJson.config.limits.maximumInflight).toBe(8);
    expect(fromJson.config.listeners).toEqual([{ protocol: 'tcp', host: '0.0.0.0', port: 1999 }]);
  });

  it('applies flags over environment over file over defaults', async () => {
    const path = await file(
      'p.yml',
      'listeners:\n  - port: 1000\n    host: 127.0.0.1\nlimits:\n  maximumInflight: 10\n  receiveMaximum: 10\n  maximumQueuedMessages: 10\n',
    );
    const env = {
      MQTTKIT_LIMITS_RECEIVE_MAXIMUM: '20',
      MQTTKIT_LIMITS_MAXIMUM_QUEUED_MESSAGES: '20',
      MQTTKIT_PORT: '2000',
    };
    const { config } = await loadConfig(
      parseFlags(['-c', path, '--set', 'limits.maximumQueuedMessages=30', '-p', '3000']),
      env,
    );
    expect(config.limits.maximumInflight).toBe(10); // file
    expect(config.limits.receiveMaximum).toBe(20); // environment over file
    expect(config.limits.maximumQueuedMessages).toBe(30); // flag over environment
    expect(config.listeners).toEqual([{ protocol: 'tcp', host: '127.0.0.1', port: 3000 }]);
    const envOnly = await loadConfig(parseFlags(['-c', path]), env);
    expect(envOnly.config.listeners[0]!.port).toBe(2000);
  });

  it('takes the file from MQTTKIT_CONFIG unless --config is given', async () => {
    const a = await file('a.yaml', 'limits: { maximumInflight: 3 }\n');
    const b = await file('b.yaml', 'limits: { maximumInflight: 4 }\n');
    expect((await loadConfig(parseFlags([]), { MQTTKIT_CONFIG: a })).config.limits.maximumInflight).toBe(3);
    expect(
      (await loadConfig(parseFlags(['-c', b]), { MQTTKIT_CONFIG: a })).config.limits.maximumInflight,
    ).toBe(4);
  });

  it('lets --port change the first tcp listener and keeps the others', async () => {
    const path = await file('two.yaml', 'listeners:\n  - { id: a, port: 1883 }\n  - { id: b, port: 1884 }\n');
    const { config } = await loadConfig(parseFlags(['-c', path, '--port', '0', '--host', '::1']), {});
    expect(config.listeners).toEqual([
      { id: 'a', protocol: 'tcp', host: '::1', port: 0 },
      { id: 'b', protocol: 'tcp', host: '0.0.0.0', port: 1884 },
    ]);
  });

  it('reports every problem from every source at once, each naming its key and source', async () => {
    const path = await file(
      'bad.yaml',
      'limits:\n  maximumPacketSize: big\n  maximumInflite: 3\nlog:\n  level: loud\n',
    );
    const lines = await errorLines(['-c', path, '--port', 'x', '--set', 'limits.maximumQoS=3'], {
      MQTTKIT_LIMITS_RECEIVE_MAXIMUM: '0',
    });
    expect(lines).toEqual([
      `limits.maximumPacketSize: must be an integer from 16 to 268435460, got "big" (in ${path})`,
      `limits.maximumInflite: unknown key; did you mean limits.maximumInflight? (in ${path})`,
      `log.level: must be one of trace, debug, info, warn, error, fatal or silent, got "loud" (in ${path})`,
      `limits.receiveMaximum: must be an integer from 1 to 65535, got "0" (from MQTTKIT_LIMITS_RECEIVE_MAXIMUM)`,
      'port: must be an integer from 0 to 65535, got "x" (from --port)',
      'limits.maximumQoS: must be one of 0, 1 or 2, got "3" (from --set limits.maximumQoS)',
    ]);
  });

  it('explains unreadable files', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await errorLines(['-c', missing])).toEqual([
      `cannot read the config file: no such file (in ${missing})`,
    ]);
    const toml = await file('b.toml', 'a = 1');
    expect(await errorLines(['-c', toml])).toEqual([
      `unsupported file type ".toml"; use .yaml, .yml or .json (in ${toml})`,
    ]);
    const badYaml = await file('bad.yaml', 'limits:\n  maximumInflight: 1\n  maximumInflight: 2\n');
    expect(await errorLines(['-c', badYaml])).toEqual([
      `YAML syntax error: Map keys must be unique at line 3, column 3 (in ${badYaml})`,
    ]);
    const badJson = await file('bad.json', '{"limits": }');
    const [jsonLine] = await errorLines(['-c', badJson]);
    expect(jsonLine).toMatch(/^JSON syntax error: .+ \(in .*bad\.json\)$/);
  });

  it('rejects listeners that collide', async () => {
    const path = await file(
      'dup.yaml',
      'listeners:\n  - { id: a, port: 1883 }\n  - { id: a, port: 1884 }\n  - { id: c, port: 1883 }\n  - { port: 0 }\n  - { port: 0 }\n',
    );
    expect(await errorLines(['-c', path])).toEqual([
      'listeners[1].id: "a" is already the id of listeners[0] (in the merged configuration)',
      'listeners[2].port: 0.0.0.0:1883 is already used by listeners[0] (in the merged configuration)',
    ]);
  });

  it('passes on warnings about unknown environment variables', async () => {
    const { warnings } = await loadConfig(parseFlags([]), { MQTTKIT_LOG_LEVL: 'debug' });
    expect(warnings).toEqual([
      'environment variable MQTTKIT_LOG_LEVL is not a setting and is ignored; did you mean MQTTKIT_LOG_LEVEL?',
    ]);
  });
});

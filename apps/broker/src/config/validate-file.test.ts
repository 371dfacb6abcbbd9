import { describe, expect, it } from 'vitest';
import { validateFileData } from './validate-file.js';

const messages = (data: unknown) =>
  validateFileData(data, 'broker.yaml').issues.map((issue) => `${issue.path}: ${issue.message}`);

describe('validateFileData', () => {
  it('accepts a valid file and keeps only what it sets', () => {
    const { layer, issues } = validateFileData(
      {
        listeners: [{ protocol: 'tcp', host: '127.0.0.1', port: 1884, id: 'main' }, { port: 1885 }],
        limits: { maximumPacketSize: 2048, queueFullPolicy: 'drop-oldest', maximumQoS: 1 },
        log: { level: 'debug', pretty: false },
      },
      'broker.yaml',
    );
    expect(issues).toEqual([]);
    expect(Object.fromEntries(layer.values)).toEqual({
      'limits.maximumPacketSize': 2048,
      'limits.queueFullPolicy': 'drop-oldest',
      'limits.maximumQoS': 1,
      'log.level': 'debug',
      'log.pretty': false,
    });
    expect(layer.listeners).toEqual([
      { protocol: 'tcp', host: '127.0.0.1', port: 1884, id: 'main' },
      { protocol: 'tcp', host: '0.0.0.0', port: 1885 },
    ]);
  });

  it('treats an empty file and empty sections as setting nothing', () => {
    expect(validateFileData(null, 'f').issues).toEqual([]);
    expect(validateFileData({ limits: null, log: {} }, 'f').issues).toEqual([]);
  });

  it('names the key and says why a value is wrong', () => {
    expect(messages({ limits: { maximumPacketSize: 'big' } })).toEqual([
      'limits.maximumPacketSize: must be an integer from 16 to 268435460, got "big"',
    ]);
    expect(messages({ limits: { maximumQoS: 3, retainAvailable: 'yes' } })).toEqual([
      'limits.maximumQoS: must be one of 0, 1 or 2, got 3',
      'limits.retainAvailable: must be true or false, got "yes"',
    ]);
    expect(messages({ log: { level: 'loud' } })).toEqual([
      'log.level: must be one of trace, debug, info, warn, error, fatal or silent, got "loud"',
    ]);
  });

  it('rejects unknown keys with a suggestion when one is close', () => {
    expect(messages({ limits: { maximumPaketSize: 10 } })).toEqual([
      'limits.maximumPaketSize: unknown key; did you mean limits.maximumPacketSize?',
    ]);
    expect(messages({ limit: {} })).toEqual(['limit: unknown key; did you mean limits?']);
    expect(messages({ maximumInflight: 5 })).toEqual([
      'maximumInflight: unknown key; did you mean limits.maximumInflight?',
    ]);
    expect(messages({ colour: 'blue' })).toEqual([
      'colour: unknown key; the sections are listeners, limits, log, auth, sys, metrics',
    ]);
    expect(messages({ listeners: [{ prot: 1883 }] })).toEqual([
      'listeners[0].prot: unknown key for a tcp listener; did you mean port?',
    ]);
  });

  it('checks sections and listeners for shape', () => {
    expect(messages([])).toEqual([': the file must hold a mapping of settings, got a list']);
    expect(messages({ limits: 5 })).toEqual(['limits: must be a mapping of settings, got 5']);
    expect(messages({ listeners: {} })).toEqual(['listeners: must be a list of listeners, got a mapping']);
    expect(messages({ listeners: [] })).toEqual(['listeners: must list at least one listener']);
    expect(messages({ listeners: ['tcp'] })).toEqual([
      'listeners[0]: must be a mapping (protocol, host, port, ...), got "tcp"',
    ]);
    expect(messages({ listeners: [{ protocol: 'udp', port: 1 }] })).toEqual([
      'listeners[0].protocol: must be one of tcp, tls, ws or wss, got "udp"',
    ]);
    expect(messages({ listeners: [{ port: 70000, host: '' }] })).toEqual([
      'listeners[0].port: must be an integer from 0 to 65535, got 70000',
      'listeners[0].host: must be a host name or IP address, got ""',
    ]);
  });

  it('reports every problem at once, each naming the file', () => {
    const { issues } = validateFileData(
      {
        limits: { maximumPacketSize: 1, receiveMaximum: 0, nope: 1 },
        log: { level: 5 },
        listeners: [{ port: -1 }],
      },
      'broker.yaml',
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      'limits.maximumPacketSize',
      'limits.receiveMaximum',
      'limits.nope',
      'log.level',
      'listeners[0].port',
    ]);
    expect(new Set(issues.map((issue) => issue.source))).toEqual(new Set(['broker.yaml']));
  });
});

describe('validateFileData: tls, ws and wss listeners', () => {
  const issues = (data: unknown) =>
    validateFileData(data, 'b.yaml').issues.map((issue) => `${issue.path}: ${issue.message}`);

  it('fills defaults per protocol and requires a certificate and key for tls and wss', () => {
    const { layer, issues: found } = validateFileData(
      {
        listeners: [
          { protocol: 'tls', certFile: 's.crt', keyFile: 's.key', usernameFromCertificate: 'cn' },
          { protocol: 'ws' },
          { protocol: 'wss', certFile: 's.crt', keyFile: 's.key', path: '/ws', minVersion: 'TLSv1.3' },
        ],
      },
      'b.yaml',
    );
    expect(found).toEqual([]);
    expect(layer.listeners).toEqual([
      {
        protocol: 'tls',
        host: '0.0.0.0',
        port: 8883,
        certFile: 's.crt',
        keyFile: 's.key',
        requestCert: false,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        usernameFromCertificate: 'cn',
      },
      { protocol: 'ws', host: '0.0.0.0', port: 8080, path: '/mqtt' },
      {
        protocol: 'wss',
        host: '0.0.0.0',
        port: 8443,
        path: '/ws',
        certFile: 's.crt',
        keyFile: 's.key',
        requestCert: false,
        rejectUnauthorized: true,
        minVersion: 'TLSv1.3',
      },
    ]);
    expect(issues({ listeners: [{ protocol: 'tls' }] })).toEqual([
      'listeners[0].certFile: is required for a tls listener',
      'listeners[0].keyFile: is required for a tls listener',
    ]);
    expect(issues({ listeners: [{ protocol: 'ws', path: 'mqtt', certFile: 'x' }] })).toEqual([
      'listeners[0].path: must be an HTTP path starting with /, got "mqtt"',
      'listeners[0].certFile: unknown key for a ws listener',
    ]);
    expect(
      issues({ listeners: [{ protocol: 'tls', certFile: 'a', keyFile: 'b', minVersion: 'TLSv1' }] }),
    ).toEqual(['listeners[0].minVersion: must be TLSv1.2 or TLSv1.3, got "TLSv1"']);
  });

  it('checks the auth, sys and metrics sections', () => {
    expect(
      issues({
        auth: { passwordFile: '', allowAnonymous: 'yes' },
        sys: { interval: -1 },
        metrics: { port: 70000 },
      }),
    ).toEqual([
      'auth.passwordFile: must be a file path, got ""',
      'auth.allowAnonymous: must be true or false, got "yes"',
      'sys.interval: must be an integer from 0 to 86400, got -1',
      'metrics.port: must be an integer from 0 to 65535, got 70000',
    ]);
  });
});

describe('validateFileData: per-listener limits', () => {
  it('keeps connection-level limits on the listener they were given for', () => {
    const { layer, issues } = validateFileData(
      {
        listeners: [
          { port: 1883 },
          { port: 1884, limits: { maximumPacketSize: 65_536, maximumQoS: 1, maximumPublishRate: 50 } },
        ],
      },
      'broker.yaml',
    );
    expect(issues).toEqual([]);
    expect(layer.listeners).toEqual([
      { protocol: 'tcp', host: '0.0.0.0', port: 1883 },
      {
        protocol: 'tcp',
        host: '0.0.0.0',
        port: 1884,
        limits: { maximumPacketSize: 65_536, maximumQoS: 1, maximumPublishRate: 50 },
      },
    ]);
  });

  it('names each bad entry: broker-wide keys, unknown keys and bad values', () => {
    expect(
      messages({
        listeners: [
          {
            port: 1884,
            limits: { maximumRetainedMessages: 10, maximumPaketSize: 100, maximumQoS: 3 },
          },
        ],
      }),
    ).toEqual([
      'listeners[0].limits.maximumRetainedMessages: is broker-wide and cannot be set per listener',
      'listeners[0].limits.maximumPaketSize: unknown limit; did you mean maximumPacketSize?',
      'listeners[0].limits.maximumQoS: must be one of 0, 1 or 2, got 3',
    ]);
    expect(messages({ listeners: [{ port: 1884, limits: 5 }] })[0]).toMatch(
      /^listeners\[0\]\.limits: must be a mapping of connection-level limits/,
    );
  });
});

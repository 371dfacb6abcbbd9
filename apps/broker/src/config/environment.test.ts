import { describe, expect, it } from 'vitest';
import { readEnvironment } from './environment.js';

describe('readEnvironment', () => {
  it('reads listener shortcuts, settings and the config file', () => {
    const env = readEnvironment({
      MQTTKIT_PORT: '1884',
      MQTTKIT_HOST: '127.0.0.1',
      MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE: '0x10000',
      MQTTKIT_LIMITS_QUEUE_QOS0_OFFLINE: 'yes',
      MQTTKIT_LOG_LEVEL: 'warn',
      MQTTKIT_CONFIG: '/etc/mqttkit.yaml',
      PATH: '/usr/bin',
    });
    expect(env.issues).toEqual([]);
    expect(env.warnings).toEqual([]);
    expect(env.configFile).toBe('/etc/mqttkit.yaml');
    expect(env.layer.listenerOverrides).toEqual({ host: '127.0.0.1', port: 1884 });
    expect(Object.fromEntries(env.layer.values)).toEqual({
      'limits.maximumPacketSize': 65_536,
      'limits.queueQoS0Offline': true,
      'log.level': 'warn',
    });
  });

  it('treats empty variables as unset', () => {
    const env = readEnvironment({ MQTTKIT_PORT: '', MQTTKIT_CONFIG: '' });
    expect(env.layer.listenerOverrides).toEqual({});
    expect(env.configFile).toBeUndefined();
  });

  it('names the variable and the key in errors', () => {
    const env = readEnvironment({ MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE: 'big', MQTTKIT_PORT: '99999' });
    expect(env.issues).toEqual([
      { path: 'port', message: 'must be an integer from 0 to 65535, got "99999"', source: 'MQTTKIT_PORT' },
      {
        path: 'limits.maximumPacketSize',
        message: 'must be an integer from 16 to 268435460, got "big"',
        source: 'MQTTKIT_LIMITS_MAXIMUM_PACKET_SIZE',
      },
    ]);
  });

  it('warns about unknown MQTTKIT_ variables, suggesting a close one', () => {
    const env = readEnvironment({ MQTTKIT_PROT: '1', MQTTKIT_SOMETHING_ELSE: 'x' });
    expect(env.warnings).toEqual([
      'environment variable MQTTKIT_PROT is not a setting and is ignored; did you mean MQTTKIT_PORT?',
      'environment variable MQTTKIT_SOMETHING_ELSE is not a setting and is ignored',
    ]);
    expect(env.issues).toEqual([]);
  });
});

import { MqttError } from '@mqttkit/types';
import { describe, expect, it } from 'vitest';
import { parseSharedSubscription, SHARE_PREFIX } from './shared-subscription.js';

describe('parseSharedSubscription', () => {
  it('4.8.2: splits "$share/consumer1/sport/tennis/+" into ShareName and Topic Filter', () => {
    expect(parseSharedSubscription('$share/consumer1/sport/tennis/+')).toEqual({
      shareName: 'consumer1',
      topicFilter: 'sport/tennis/+',
    });
  });

  it('4.8.2: "$share/consumer1//finance" has the Topic Filter "/finance"', () => {
    expect(parseSharedSubscription('$share/consumer1//finance')).toEqual({
      shareName: 'consumer1',
      topicFilter: '/finance',
    });
  });

  it('keeps everything after the first "/" following the ShareName as the filter', () => {
    expect(parseSharedSubscription('$share/g/#')).toEqual({ shareName: 'g', topicFilter: '#' });
    expect(parseSharedSubscription('$share/g/$share/h/x')).toEqual({
      shareName: 'g',
      topicFilter: '$share/h/x',
    });
    expect(parseSharedSubscription('$share/g//')).toEqual({ shareName: 'g', topicFilter: '/' });
    expect(parseSharedSubscription('$share/ü n/a')).toEqual({ shareName: 'ü n', topicFilter: 'a' });
  });

  it.each(['sport/tennis', '$share', '$SHARE/g/a', '$sharex/g/a', 'x/$share/g/a', '#', '$SYS/#'])(
    'returns undefined for the non-shared filter %j ([MQTT-4.8.2-1] needs the "$share/" prefix)',
    (filter) => {
      expect(parseSharedSubscription(filter)).toBeUndefined();
    },
  );

  it.each(['$share/', '$share//a', '$share//'])(
    '[MQTT-4.8.2-1] rejects the empty ShareName in %j',
    (filter) => {
      const result = parseSharedSubscription(filter);
      expect(result).toBeInstanceOf(MqttError);
      expect((result as MqttError).code).toBe('TOPIC_FILTER_INVALID');
      expect((result as MqttError).specRef).toBe('MQTT-4.8.2-1');
    },
  );

  it.each(['$share/a+/x', '$share/+/x', '$share/#/x', '$share/a#b/x', '$share/g', '$share/g/', '$share/g+'])(
    '[MQTT-4.8.2-2] rejects %j (ShareName without "+" or "#", then "/" and a Topic Filter)',
    (filter) => {
      const result = parseSharedSubscription(filter);
      expect(result).toBeInstanceOf(MqttError);
      expect((result as MqttError).code).toBe('TOPIC_FILTER_INVALID');
      expect((result as MqttError).specRef).toBe('MQTT-4.8.2-2');
      expect((result as MqttError).message).toContain(JSON.stringify(filter));
    },
  );

  it('exports the prefix', () => {
    expect(SHARE_PREFIX).toBe('$share/');
  });
});

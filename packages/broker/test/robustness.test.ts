import { rawPingreq, rawPublish } from '@mqttkit/testkit';
import { describe, expect, it } from 'vitest';
import { startBroker } from './fixtures.js';
import { connect, expectDisconnect, T } from './raw-helpers.js';

describe('robustness', () => {
  it('an internal error while handling a packet closes that connection with 0x83, and the broker keeps serving', async () => {
    await using broker = await startBroker();
    const route = broker.broker.router.route.bind(broker.broker.router);
    broker.broker.router.route = (message, publisher) => {
      if (message.topic === 'boom') throw new Error('injected failure');
      return route(message, publisher);
    };
    await using victim = await connect(broker.port, 5, 'victim');
    await using bystander = await connect(broker.port, 5, 'bystander');
    await victim.send(rawPublish({ topic: 'boom', payload: 'x', qos: 0 }, 5));
    expect(await expectDisconnect(victim)).toBe(0x83);
    await victim.expectClose();
    await bystander.send(rawPingreq());
    await bystander.expectFrame({ type: T.PINGRESP });
  });
});

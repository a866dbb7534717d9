import type { InstanceStatus, InstancesResponse } from '@realtime/contracts';

import type { StreamEvent } from '../../common/streams/stream-source';
import type { InstancesListener } from './instance-status.service';
import { OpsChannel } from './ops-channel';

/** The service as the channel uses it: a list, and listeners told of changes. */
class FakeInstances {
  list: InstancesResponse = { self: 'a', reportEveryMs: 1000, instances: [] };
  readonly listeners = new Set<InstancesListener>();
  instances() {
    return this.list;
  }
  onChange(listener: InstancesListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  change(ids: string[]) {
    this.list = { ...this.list, instances: ids.map((instanceId) => ({ instanceId }) as InstanceStatus) };
    this.listeners.forEach((l) => l(this.list));
  }
}

describe('OpsChannel', () => {
  const make = () => {
    const instances = new FakeInstances();
    const hub = { endChannel: jest.fn() };
    const channel = new OpsChannel(instances as never, hub as never, { maxConnectionsPerUser: 4 } as never);
    return { instances, hub, channel };
  };
  const listed = (e: StreamEvent) =>
    (JSON.parse(e.event.data as string) as InstancesResponse).instances.map((i) => i.instanceId);

  it('opens with the current list, then frames each change once for every stream, ids going up', () => {
    const { instances, channel } = make();
    instances.change(['a']);
    const [snapshot] = channel.opening() as StreamEvent[];
    expect(snapshot.event.type).toBe('instances');
    expect(listed(snapshot)).toEqual(['a']);

    const delivered: StreamEvent[] = [];
    const stop = channel.listen('ops', (e) => delivered.push(e));
    expect(instances.listeners.size).toBe(1);
    instances.change(['a', 'b']);
    instances.change(['b']);
    expect(delivered.map(listed)).toEqual([['a', 'b'], ['b']]);
    expect(delivered[0].id).toBeGreaterThan(snapshot.id);
    expect(delivered[1].id).toBeGreaterThan(delivered[0].id);
    expect(delivered[1].event.id).toBe(String(delivered[1].id));

    // A later snapshot (a resume) is the current list under a new, higher id.
    const [again] = channel.opening() as StreamEvent[];
    expect(again.id).toBeGreaterThan(delivered[1].id);
    expect(listed(again)).toEqual(['b']);

    stop();
    expect(instances.listeners.size).toBe(0);
  });

  it('is one shared topic, capped like the other streams, and ends its streams with its module', () => {
    const { channel, hub } = make();
    expect(channel.topics()).toEqual(['ops']);
    expect(channel.maxStreamsPerUser()).toBe(4);
    channel.onModuleDestroy();
    expect(hub.endChannel).toHaveBeenCalledWith(channel);
  });
});

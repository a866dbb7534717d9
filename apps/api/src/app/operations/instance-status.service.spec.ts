import { InProcessEventBus } from '../../infra/event-bus/in-process-event-bus';
import { INSTANCES_CHANNEL, InstanceStatusService } from './instance-status.service';

describe('InstanceStatusService', () => {
  const config = { instanceStatusMs: 1000, version: '9.9.9' } as never;
  const make = (bus: InProcessEventBus, instanceId: string, publishing: boolean) =>
    new InstanceStatusService(
      bus,
      { instanceId, connections: () => 1, localUsers: () => 1 } as never,
      { publishingTicks: publishing } as never,
      { db: {}, dialect: 'sqlite' } as never,
      config,
    );
  let services: InstanceStatusService[] = [];
  afterEach(() => {
    services.forEach((s) => s.onModuleDestroy());
    services = [];
  });

  it('hears every instance on the bus, drops one that says goodbye, and forgets a silent one', async () => {
    const bus = new InProcessEventBus();
    const a = make(bus, 'a', true);
    const b = make(bus, 'b', false);
    services.push(a, b);
    // No database in this test: each reports it as down rather than failing to report.
    await a.onApplicationBootstrap();
    await b.onApplicationBootstrap();
    const listed = a.instances();
    expect(listed.self).toBe('a');
    expect(listed.instances.map((i) => [i.instanceId, i.ticks, i.version])).toEqual([
      ['a', 'publishing', '9.9.9'],
      ['b', 'following', '9.9.9'],
    ]);
    await b.beforeApplicationShutdown();
    expect(a.instances().instances.map((i) => i.instanceId)).toEqual(['a']);
    // Three periods and a second without a record: gone.
    expect(a.instances(Date.now() + 4001).instances).toEqual([]);
  });

  it('tells its listeners the whole list once per change: a new or different record, a goodbye, an expiry', async () => {
    const bus = new InProcessEventBus();
    const a = make(bus, 'a', true);
    services.push(a);
    const heard: string[][] = [];
    const stop = a.onChange((list) => heard.push(list.instances.map((i) => i.instanceId)));
    const record = (id: string, uptimeS: number) =>
      JSON.stringify({ status: { instanceId: id, uptimeS, reportedAt: 'x' } });
    await bus.publish(INSTANCES_CHANNEL, record('b', 1));
    await bus.publish(INSTANCES_CHANNEL, record('b', 1)); // the same record again: no change
    await bus.publish(INSTANCES_CHANNEL, record('b', 2));
    await bus.publish(INSTANCES_CHANNEL, JSON.stringify({ left: 'b' }));
    await bus.publish(INSTANCES_CHANNEL, JSON.stringify({ left: 'b' })); // already gone
    expect(heard).toEqual([['b'], ['b'], []]);
    await bus.publish(INSTANCES_CHANNEL, record('c', 1));
    a.instances(Date.now() + 4001);
    expect(heard.slice(3)).toEqual([['c'], []]);
    stop();
    await bus.publish(INSTANCES_CHANNEL, record('d', 1));
    expect(heard).toHaveLength(5);
  });

  it('ignores a bus message it cannot read', async () => {
    const bus = new InProcessEventBus();
    const a = make(bus, 'a', true);
    services.push(a);
    await bus.publish(INSTANCES_CHANNEL, 'not json');
    await bus.publish(INSTANCES_CHANNEL, 'null');
    await bus.publish(INSTANCES_CHANNEL, JSON.stringify({ status: { nope: 1 } }));
    expect(a.instances().instances).toEqual([]);
  });
});

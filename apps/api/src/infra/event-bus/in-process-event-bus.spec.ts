import { InProcessEventBus } from './in-process-event-bus';

describe('InProcessEventBus', () => {
  it('delivers a message to every subscriber of its channel only', async () => {
    const bus = new InProcessEventBus();
    const a: string[] = [];
    const b: string[] = [];
    const other: string[] = [];
    const s1 = bus.channel('x').subscribe((m) => a.push(m));
    const s2 = bus.channel('x').subscribe((m) => b.push(m));
    const s3 = bus.channel('y').subscribe((m) => other.push(m));
    await bus.publish('x', 'hello');
    expect(a).toEqual(['hello']);
    expect(b).toEqual(['hello']);
    expect(other).toEqual([]);
    s1.unsubscribe();
    s2.unsubscribe();
    s3.unsubscribe();
  });

  it('forgets a channel when its last subscriber leaves', async () => {
    const bus = new InProcessEventBus();
    const s1 = bus.channel('x').subscribe();
    const s2 = bus.channel('x').subscribe();
    expect(bus.openChannels).toBe(1);
    s1.unsubscribe();
    expect(bus.openChannels).toBe(1);
    s2.unsubscribe();
    expect(bus.openChannels).toBe(0);
    const got: string[] = [];
    const s3 = bus.channel('x').subscribe((m) => got.push(m));
    await bus.publish('x', 'again');
    expect(got).toEqual(['again']);
    s3.unsubscribe();
  });
});

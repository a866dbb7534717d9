import { PresenceService } from './presence.service';

describe('PresenceService', () => {
  it('counts distinct users across connections and kinds, and releases once', () => {
    const p = new PresenceService();
    const a1 = p.track(1, 'dashboard');
    const a2 = p.track(1, 'chat');
    const b = p.track(2, 'notifications');
    expect(p.activeUsers()).toBe(2);
    expect(p.connections()).toBe(3);
    a1();
    a1();
    expect(p.activeUsers()).toBe(2);
    expect(p.connectionsOf(1)).toBe(1);
    a2();
    expect(p.activeUsers()).toBe(1);
    b();
    expect(p.activeUsers()).toBe(0);
    expect(p.connections()).toBe(0);
  });
});

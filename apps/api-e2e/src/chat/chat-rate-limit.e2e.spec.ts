import type { LoginResponse } from '@realtime/contracts';
import { ApiProcess, login } from '@realtime/test-support';

import { ChatClient } from './chat-client';

describe('chat rate limit', () => {
  let api: ApiProcess;
  let alice: LoginResponse;
  let bob: LoginResponse;

  beforeAll(async () => {
    // A small bucket that refills slowly, so that a burst certainly overflows it.
    api = await ApiProcess.start({ env: { SIMULATOR: 'false', CHAT_RATE_PER_S: '1', CHAT_RATE_BURST: '5' } });
    [alice, bob] = await Promise.all([login(api, 'alice'), login(api, 'bob')]);
  });
  afterEach(() => ChatClient.closeAll());
  afterAll(() => api.dispose());

  it('limits each user, delivers only what it accepted and keeps the socket up', async () => {
    const roomId = 'busy';
    const a = await ChatClient.connect(api, alice.accessToken);
    const b = await ChatClient.connect(api, bob.accessToken);
    await a.request('join', { roomId });
    await b.request('join', { roomId });

    const acks = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.request('chat', { roomId, content: `m${i}`, clientId: `c${i}` }),
      ),
    );
    expect(acks.slice(0, 5).every((ack) => ack.ok)).toBe(true);
    const limited = acks.filter((ack) => !ack.ok);
    expect(limited.length).toBeGreaterThan(0);
    for (const ack of limited) {
      expect(ack.error).toEqual({
        code: 'RATE_LIMITED',
        message: expect.any(String),
        retryAfterMs: expect.any(Number),
      });
      expect(ack.error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(a.all('error').filter((e) => e.code === 'RATE_LIMITED')).toHaveLength(limited.length);

    // The limit is per user: bob still talks, and his message is the barrier for alice's.
    const bobs = await b.request('chat', { roomId, content: 'hi', clientId: 'b1' });
    expect(bobs).toMatchObject({ ok: true });
    await b.waitFor('chat', (m) => m.id === bobs.message.id);
    const accepted = acks.filter((ack) => ack.ok).map((ack) => ack.message.content);
    // Concurrent sends may be stored in any order on PostgreSQL's pool: compare as sets.
    expect(
      b
        .all('chat')
        .map((m) => m.content)
        .sort(),
    ).toEqual([...accepted, 'hi'].sort());

    // Alice's socket is still up and everything but chat still works for her.
    expect(await a.request('typing', { roomId, isTyping: true })).toEqual({ ok: true });
    expect(await a.request('join', { roomId: 'general' })).toMatchObject({ ok: true });
    expect(a.socket.connected).toBe(true);
  });
});

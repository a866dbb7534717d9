import { describeChatConnection } from './connection-label';

describe('describeChatConnection', () => {
  it('tells the user that what they write waits in the outbox while the socket is away', () => {
    expect(describeChatConnection({ kind: 'connected', since: 0 })).toMatchObject({
      tone: 'ok',
      message: null,
    });
    expect(
      describeChatConnection({
        kind: 'reconnecting',
        attempt: 2,
        maxAttempts: 5,
        retryAt: 0,
        reason: 'Lost.',
      }),
    ).toMatchObject({ label: 'Reconnecting (attempt 2 of 5)', message: expect.stringContaining('kept') });
    expect(describeChatConnection({ kind: 'disconnected', reason: 'Lost.' })).toMatchObject({
      canReconnect: true,
    });
    expect(describeChatConnection({ kind: 'offline' }).message).toContain("You're offline");
  });
});

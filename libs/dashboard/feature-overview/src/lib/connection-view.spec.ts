import { describeConnection } from './connection-view';

describe('describeConnection', () => {
  it('counts down to the next try in friendly words', () => {
    const state = {
      kind: 'reconnecting' as const,
      attempt: 2,
      maxAttempts: 5,
      retryAt: 14_000,
      reason: 'lost',
    };
    expect(describeConnection(state, 10_000)).toMatchObject({
      tone: 'warn',
      label: 'Reconnecting (attempt 2 of 5)',
      message: "Can't reach the server. Retrying in 4 s…",
      canReconnect: false,
    });
    expect(describeConnection(state, 14_500).message).toBe("Can't reach the server. Trying again now…");
  });

  it('offers Reconnect only after giving up, and explains offline', () => {
    expect(describeConnection({ kind: 'disconnected', reason: 'x' }, 0)).toMatchObject({
      label: 'Disconnected',
      canReconnect: true,
    });
    expect(describeConnection({ kind: 'offline' }, 0).message).toContain("You're offline");
    expect(describeConnection({ kind: 'connected', since: 0 }, 0)).toMatchObject({
      label: 'Live',
      message: null,
    });
  });
});

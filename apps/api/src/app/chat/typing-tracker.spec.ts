import { TypingTracker } from './typing-tracker';

const alice = { id: 1, username: 'alice' };
const bob = { id: 2, username: 'bob' };

describe('TypingTracker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('expires 5 s after the last update, not after the first', () => {
    const expired = jest.fn();
    const typing = new TypingTracker(5000, expired);
    expect(typing.start('general', alice, 's1')).toBe(true);
    jest.advanceTimersByTime(4000);
    expect(typing.start('general', alice, 's1')).toBe(false);
    jest.advanceTimersByTime(4999);
    expect(expired).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledWith('general', alice);
    expect(typing.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stops without expiring and says whether the user was typing', () => {
    const expired = jest.fn();
    const typing = new TypingTracker(5000, expired);
    typing.start('general', alice, 's1');
    expect(typing.stop('general', alice.id)).toMatchObject({ roomId: 'general', user: alice });
    expect(typing.stop('general', alice.id)).toBeUndefined();
    jest.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps rooms and users apart, and stops what a closing socket started', () => {
    const expired = jest.fn();
    const typing = new TypingTracker(5000, expired);
    typing.start('general', alice, 's1');
    typing.start('ops', alice, 's1');
    typing.start('general', bob, 's2');
    expect(typing.stopSocket('s1')).toEqual([
      { roomId: 'general', user: alice },
      { roomId: 'ops', user: alice },
    ]);
    expect(typing.size).toBe(1);
    jest.advanceTimersByTime(5000);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(expired).toHaveBeenCalledWith('general', bob);
  });

  it('clears every timer', () => {
    const typing = new TypingTracker(5000, jest.fn());
    typing.start('general', alice, 's1');
    typing.start('ops', bob, 's2');
    typing.clear();
    expect(jest.getTimerCount()).toBe(0);
    expect(typing.size).toBe(0);
  });
});

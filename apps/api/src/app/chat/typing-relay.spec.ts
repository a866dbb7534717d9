import { TypingRelay } from './typing-relay';

describe('TypingRelay', () => {
  const alice = { id: 1, username: 'alice' };
  let sent: Array<[string, boolean]>;
  let relay: TypingRelay;

  beforeEach(() => {
    jest.useFakeTimers();
    sent = [];
    relay = new TypingRelay(300, (roomId, _user, isTyping) => sent.push([roomId, isTyping]));
  });
  afterEach(() => {
    relay.clear();
    jest.useRealTimers();
  });

  it('sends the first change at once and the last state of a burst at the end of the window', () => {
    relay.push('general', alice, true);
    for (let i = 0; i < 1000; i++) relay.push('general', alice, i % 2 === 0);
    expect(sent).toEqual([['general', true]]);
    jest.advanceTimersByTime(300);
    expect(sent).toEqual([
      ['general', true],
      ['general', false],
    ]);
    jest.advanceTimersByTime(300);
    expect(sent).toHaveLength(2);
    expect(relay.size).toBe(0);
  });

  it('sends nothing when a burst ends where it started', () => {
    relay.push('general', alice, true);
    relay.push('general', alice, false);
    relay.push('general', alice, true);
    jest.advanceTimersByTime(600);
    expect(sent).toEqual([['general', true]]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('after a message the last state is "not typing": the next start goes out', () => {
    relay.push('general', alice, true);
    relay.messageSent('general', alice.id);
    relay.push('general', alice, true);
    jest.advanceTimersByTime(300);
    expect(sent).toEqual([
      ['general', true],
      ['general', true],
    ]);
  });

  it('keeps rooms apart', () => {
    relay.push('general', alice, true);
    relay.push('ops', alice, true);
    expect(sent).toEqual([
      ['general', true],
      ['ops', true],
    ]);
  });
});

import type { ChatMessage } from '@realtime/contracts';

import { countUnread, mergeMessages } from './messages';

const msg = (id: number, senderId = 2): ChatMessage => ({
  id,
  clientId: `c${id}`,
  roomId: 'general',
  senderId,
  senderName: senderId === 1 ? 'alice' : 'bob',
  content: `m${id}`,
  timestamp: id * 1000,
});

describe('mergeMessages', () => {
  it('adds each message once, in id order, whether it came in history or live', () => {
    const live = [msg(3)];
    const history = [msg(1), msg(2), msg(3)];
    const merged = mergeMessages(live, history);
    expect(merged.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(mergeMessages(merged, [msg(3), msg(4)]).map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });

  it('returns the same array when nothing is new, so signals do not fire', () => {
    const list = [msg(1), msg(2)];
    expect(mergeMessages(list, [msg(2)])).toBe(list);
    expect(mergeMessages(list, [])).toBe(list);
  });
});

describe('countUnread', () => {
  it("counts others' messages after the read mark", () => {
    expect(countUnread([msg(1), msg(2), msg(3, 1), msg(4)], 1, 1)).toBe(2);
  });
});

import {
  decodeBusMessage,
  encodeBusMessage,
  parseLastEventId,
  toMessageEvent,
  userChannel,
} from './notification-events';

describe('notification events', () => {
  it('carries an event over the bus without touching its payload', () => {
    const event = {
      id: 42,
      kind: 'notification' as const,
      payload: JSON.stringify({ title: 'a b  c', message: 'line\nbreak' }),
    };
    const message = encodeBusMessage(event);
    expect(decodeBusMessage(message)).toEqual(event);
    expect(toMessageEvent(event)).toEqual({ id: '42', type: 'notification', data: event.payload });
  });

  it('carries the trace id of the request that made the event, and reads messages without one', () => {
    const event = { id: 7, kind: 'notification' as const, payload: '{"a":"b c"}', traceId: 'req-1' };
    expect(decodeBusMessage(encodeBusMessage(event))).toEqual(event);
    expect(decodeBusMessage('7 notification {"a":1}')).toEqual({
      id: 7,
      kind: 'notification',
      payload: '{"a":1}',
    });
  });

  it('ignores bus messages it cannot read', () => {
    expect(decodeBusMessage('')).toBeUndefined();
    expect(decodeBusMessage('12')).toBeUndefined();
    expect(decodeBusMessage('x notification {}')).toBeUndefined();
    expect(decodeBusMessage(' notification {}')).toBeUndefined();
  });

  it('names one channel per user', () => {
    expect(userChannel(3)).toBe('notifications:user:3');
    expect(userChannel(3)).not.toBe(userChannel(33));
  });

  it.each([
    ['17', 17],
    ['0', 0],
    [' 5 ', 5],
    [['9', '10'], 9],
    [undefined, undefined],
    ['', undefined],
    ['abc', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    ['1e3', undefined],
    ['9999999999999999', undefined],
    [12, undefined],
  ])('reads Last-Event-ID %j as %j', (value, expected) => {
    expect(parseLastEventId(value)).toBe(expected);
  });
});

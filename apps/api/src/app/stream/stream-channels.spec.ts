import { BadRequestException } from '@nestjs/common';

import { parseChannels } from './stream-channels';

describe('parseChannels', () => {
  it('reads a list, each name once, in the order given; none means the default channels (ops only when named)', () => {
    expect(parseChannels('notifications,dashboard')).toEqual(['notifications', 'dashboard']);
    expect(parseChannels(' dashboard , dashboard ')).toEqual(['dashboard']);
    expect(parseChannels(['notifications', 'dashboard'])).toEqual(['notifications', 'dashboard']);
    expect(parseChannels(undefined)).toEqual(['dashboard', 'notifications']);
    expect(parseChannels('')).toEqual(['dashboard', 'notifications']);
    expect(parseChannels('ops,dashboard')).toEqual(['ops', 'dashboard']);
  });

  it('refuses an unknown name, a name list without names and what is not text, with a 400 that says so', () => {
    expect(() => parseChannels('dashboard,chat')).toThrow(
      new BadRequestException(
        'Unknown channel "chat" in channels: the channels are dashboard, notifications, ops',
      ),
    );
    expect(() => parseChannels(',,')).toThrow(BadRequestException);
    expect(() => parseChannels({ a: 1 })).toThrow(BadRequestException);
    expect(() => parseChannels('x'.repeat(500))).toThrow(BadRequestException);
  });
});

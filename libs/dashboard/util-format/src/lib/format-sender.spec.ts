import { formatSender } from './format-sender';

describe('formatSender', () => {
  it('names a user, and says when the system sent it', () => {
    expect(formatSender({ id: 2, username: 'bob' })).toBe('from bob');
    expect(formatSender({ system: true })).toBe('from the system');
  });
});

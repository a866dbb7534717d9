import { AuthRefreshRequestSchema, ChatMessagesQuerySchema, TypingRequestSchema } from './schemas';

describe('chat schemas', () => {
  it('reads a messages query: optional cursor and limit, nothing else', () => {
    expect(ChatMessagesQuerySchema.parse({})).toEqual({});
    expect(ChatMessagesQuerySchema.parse({ before: '42', limit: '10' })).toEqual({ before: '42', limit: 10 });
    for (const bad of [
      { before: 'abc' },
      { before: '0' },
      { before: '-1' },
      { before: '1'.repeat(16) },
      { limit: '0' },
      { limit: '101' },
      { limit: '2.5' },
      { limit: ['1', '2'] },
      { after: '1' },
    ]) {
      expect(ChatMessagesQuerySchema.safeParse(bad).success).toBe(false);
    }
  });

  it('takes a token for the in-band refresh and a boolean for typing', () => {
    expect(AuthRefreshRequestSchema.safeParse({ token: 'a.b.c' }).success).toBe(true);
    expect(AuthRefreshRequestSchema.safeParse({ token: '' }).success).toBe(false);
    expect(AuthRefreshRequestSchema.safeParse({ token: 'x'.repeat(5000) }).success).toBe(false);
    expect(TypingRequestSchema.safeParse({ roomId: 'general', isTyping: 'yes' }).success).toBe(false);
  });
});

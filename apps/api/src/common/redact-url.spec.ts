import { redactQuery, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it.each([
    ['/api/dashboard/stream?token=eyJ.abc.def', '/api/dashboard/stream?token=[REDACTED]'],
    ['/x?a=1&access_token=s3cret&b=2', '/x?a=1&access_token=[REDACTED]&b=2'],
    [
      '/x?apiKey=k&API_KEY=k&password=p&jwt=j',
      '/x?apiKey=[REDACTED]&API_KEY=[REDACTED]&password=[REDACTED]&jwt=[REDACTED]',
    ],
    ['/x?%74oken=s3cret', '/x?%74oken=[REDACTED]'],
    ['/api/notifications?cursor=10&limit=5', '/api/notifications?cursor=10&limit=5'],
    ['/api/health', '/api/health'],
    ['/x?lastEventId=42&token', '/x?lastEventId=42&token'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactQuery', () => {
  it('replaces credential-like values and keeps the rest', () => {
    expect(redactQuery({ token: 't', cursor: '5', apiKey: ['a', 'b'] })).toEqual({
      token: '[REDACTED]',
      cursor: '5',
      apiKey: '[REDACTED]',
    });
    expect(redactQuery(undefined)).toBeUndefined();
  });
});

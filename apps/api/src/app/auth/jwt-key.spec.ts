import { JwtService } from '@nestjs/jwt';

import { jwtKey } from './auth.module';

describe('jwtKey', () => {
  const secret = 'unit-secret-0123456789abcdef0123456789abcdef';

  it('signs and verifies exactly as the string secret does (tokens survive the change)', async () => {
    const withString = new JwtService({ secret, signOptions: { algorithm: 'HS256' } });
    const withKey = new JwtService({
      secret: jwtKey(secret),
      signOptions: { algorithm: 'HS256' },
      verifyOptions: { algorithms: ['HS256'] },
    });
    const token = await withString.signAsync({ username: 'alice' }, { subject: '1' });
    await expect(withKey.verifyAsync(token)).resolves.toMatchObject({ sub: '1', username: 'alice' });
    expect(await withKey.signAsync({ username: 'alice' }, { subject: '1', noTimestamp: true })).toBe(
      await withString.signAsync({ username: 'alice' }, { subject: '1', noTimestamp: true }),
    );
  });

  it('still refuses another key and alg none', async () => {
    const withKey = new JwtService({ secret: jwtKey(secret), verifyOptions: { algorithms: ['HS256'] } });
    const other = new JwtService({ secret: `${secret}x`, signOptions: { algorithm: 'HS256' } });
    await expect(withKey.verifyAsync(await other.signAsync({ a: 1 }))).rejects.toThrow(/invalid signature/);
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"a":1}').toString('base64url')}.`;
    await expect(withKey.verifyAsync(none)).rejects.toThrow();
  });
});

import { createSecretKey } from 'node:crypto';

import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { type ThrottlerStorage, ThrottlerModule } from '@nestjs/throttler';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { THROTTLER_STORAGE } from '../../infra/shared-state/shared-state.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { RolesGuard } from './roles.guard';
import { TokenService } from './token.service';

/**
 * The HS256 key as a KeyObject. Given a string, jsonwebtoken first tries it as a public key on
 * every verify and builds an exception when that fails: ~70× the cost of the HMAC itself, paid
 * on each request, stream and socket handshake (docs/benchmarks.md, restart-storm).
 */
export function jwtKey(secret: string) {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: jwtKey(config.jwtSecret),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    // Brute-force brake on logins, per client address; with Redis, counted for the whole cluster.
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, THROTTLER_STORAGE],
      useFactory: (config: AppConfig, storage: ThrottlerStorage | null) => ({
        throttlers: [{ name: 'login', ttl: 60_000, limit: config.loginRateLimit }],
        storage: storage ?? undefined,
      }),
    }),
  ],
  controllers: [AuthController],
  // Global guards run in this order: who is calling, then whether their role may.
  providers: [
    AuthService,
    TokenService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [TokenService],
})
export class AuthModule {}

import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { EventBus } from '../../infra/event-bus/event-bus';
import { redisBusOf } from '../../infra/event-bus/redis-event-bus';
import { RedisThrottlerStorage } from '../../infra/redis/redis-throttler-storage';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { TokenService } from './token.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    // Brute-force brake on logins, per client address; with Redis, counted for the whole cluster.
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, EventBus],
      useFactory: (config: AppConfig, bus: EventBus) => {
        const redis = redisBusOf(bus);
        return {
          throttlers: [{ name: 'login', ttl: 60_000, limit: config.loginRateLimit }],
          storage: redis
            ? new RedisThrottlerStorage(redis.client, redis.prefix, new ThrottlerStorageService())
            : undefined,
        };
      },
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, TokenService, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [TokenService],
})
export class AuthModule {}

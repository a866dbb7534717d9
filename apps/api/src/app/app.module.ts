import { DynamicModule, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';

import { ActionRateLimitsModule } from '../common/action-rate-limits';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { STREAM_ROUTES } from '../common/streams/stream-routes';
import { StreamsModule } from '../common/streams/streams.module';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../infra/database/database.module';
import { EventBusModule } from '../infra/event-bus/event-bus.module';
import { requestLogOptions, streamRequestLog } from '../infra/http/request-log';
import { MetricsModule } from '../infra/metrics/metrics.module';
import { SharedStateModule } from '../infra/shared-state/shared-state.module';
import { AccountsModule } from './accounts/accounts.module';
import { AlertsModule } from './alerts/alerts.module';
import { AnnotationsModule } from './annotations/annotations.module';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { HistoryModule } from './history/history.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsEndpointModule } from './metrics/metrics.module';
import { OperationsModule } from './operations/operations.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OrdersModule } from './orders/orders.module';
import { PresenceModule } from './presence/presence.module';
import { StreamModule } from './stream/stream.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule implements NestModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (c: AppConfig) => ({
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
            // Event streams log their request line without pino-http: see streamRequestLog.
            exclude: [...STREAM_ROUTES],
            pinoHttp: requestLogOptions(c.logLevel),
          }),
        }),
        LifecycleModule,
        MetricsModule,
        DatabaseModule,
        EventBusModule,
        SharedStateModule,
        ActionRateLimitsModule,
        UsersModule,
        AccountsModule,
        PresenceModule,
        StreamsModule,
        AuthModule,
        HealthModule,
        ChatModule,
        OrdersModule,
        DashboardModule,
        HistoryModule,
        AnnotationsModule,
        AlertsModule,
        NotificationsModule,
        StreamModule,
        MetricsEndpointModule,
        OperationsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(streamRequestLog).forRoutes(...STREAM_ROUTES);
  }
}

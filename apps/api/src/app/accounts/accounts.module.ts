import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { UsersService } from '../users/users.service';
import { AccountEvents } from './account-events';
import { AccountsService } from './accounts.service';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ConnectionRevoker } from './connection-revoker';
import { SessionsService } from './sessions.service';
import { UsersController } from './users.controller';

/** Users and their roles, browser sessions, API keys, and the events that revoke them. */
@Global()
@Module({
  controllers: [UsersController, ApiKeysController],
  providers: [AccountEvents, AccountsService, SessionsService, ApiKeysService, ConnectionRevoker],
  exports: [AccountEvents, AccountsService, SessionsService, ApiKeysService, ConnectionRevoker],
})
export class AccountsModule implements OnModuleInit {
  private readonly logger = new Logger(AccountsModule.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly events: AccountEvents,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit() {
    // A change on another instance (or by the CLI) reaches this instance's user cache.
    this.events.events$.subscribe((e) => {
      if (e.kind === 'user-changed' || e.kind === 'user-disabled') this.users.forget(e.userId);
    });
    const done = await this.accounts.bootstrapAdmin(this.config.admin);
    if (done) this.logger.log(done);
  }
}

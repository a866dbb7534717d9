import { Global, Inject, Module, OnModuleInit } from '@nestjs/common';

import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { UsersService } from './users.service';

@Global()
@Module({ providers: [UsersService], exports: [UsersService] })
export class UsersModule implements OnModuleInit {
  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit() {
    if (this.config.demo) await this.users.seedDemoUsers();
  }
}

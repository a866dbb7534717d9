import { Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import type { CreateUserRequest, UpdateUserRequest, UserAccount } from '@realtime/contracts';
import { CreateUserRequestSchema, UpdateUserRequestSchema } from '@realtime/contracts/schemas';

import { Roles } from '../../common/roles.decorator';
import { ZodBody } from '../../common/zod-body';
import { AccountsService } from './accounts.service';

/** User management, for admins: list, create, change role, disable / enable, reset a password. */
@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@Controller('users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Get()
  list(): Promise<UserAccount[]> {
    return this.accounts.list();
  }

  @Post()
  @HttpCode(201)
  create(@ZodBody(CreateUserRequestSchema) body: CreateUserRequest): Promise<UserAccount> {
    return this.accounts.create(body);
  }

  /** `{role?, disabled?, password?}`; 409 when it would leave no enabled admin. */
  @Patch(':id')
  update(
    @Param('id', ParseIntPipe) id: number,
    @ZodBody(UpdateUserRequestSchema) body: UpdateUserRequest,
  ): Promise<UserAccount> {
    return this.accounts.update(id, body);
  }
}

import { Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';

import type { ApiKeyInfo, CreateApiKeyRequest, CreatedApiKey, SessionUser } from '@realtime/contracts';
import { CreateApiKeyRequestSchema } from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { Roles } from '../../common/roles.decorator';
import { ZodBody } from '../../common/zod-body';
import { ApiKeysService } from './api-keys.service';

/** API keys for machine clients, managed by admins. The key is in the create answer only. */
@ApiTags('api-keys')
@ApiBearerAuth()
@Roles('admin')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  list(): Promise<ApiKeyInfo[]> {
    return this.keys.list();
  }

  @Post()
  @HttpCode(201)
  create(
    @CurrentUser() user: SessionUser,
    @ZodBody(CreateApiKeyRequestSchema) body: CreateApiKeyRequest,
  ): Promise<CreatedApiKey> {
    return this.keys.create(user, body);
  }

  /** Revokes the key (kept in the list, marked revoked); it is refused from now on. */
  @Delete(':id')
  @HttpCode(200)
  revoke(@Param('id', ParseIntPipe) id: number): Promise<ApiKeyInfo> {
    return this.keys.revoke(id);
  }
}

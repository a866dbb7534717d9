import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import type {
  AlertHistoryResponse,
  AlertRule,
  CreateAlertRuleRequest,
  UpdateAlertRuleRequest,
} from '@realtime/contracts';
import {
  AlertHistoryQuerySchema,
  CreateAlertRuleRequestSchema,
  UpdateAlertRuleRequestSchema,
} from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { Roles } from '../../common/roles.decorator';
import { ZodBody, ZodPipe } from '../../common/zod-body';
import { RateLimits, type UserRateLimit } from '../../infra/rate-limit/user-rate-limit';
import type { VerifiedUser } from '../auth/token.service';
import { AlertRulesService } from './alert-rules.service';
import { AlertRuleIdPipe } from './alert-rule-id.pipe';

/** Rule changes a user may make: a burst of 20, then one every 3 seconds. */
const CHANGES_PER_S = 1 / 3;
const CHANGES_BURST = 20;

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('alerts')
export class AlertRulesController {
  private readonly limiter: UserRateLimit;

  constructor(
    private readonly rules: AlertRulesService,
    rateLimits: RateLimits,
  ) {
    this.limiter = rateLimits.create('alert-rules', CHANGES_PER_S, CHANGES_BURST);
  }

  @Get('rules')
  list(): Promise<AlertRule[]> {
    return this.rules.list();
  }

  @Roles('operator')
  @Post('rules')
  async create(
    @CurrentUser() user: VerifiedUser,
    @ZodBody(CreateAlertRuleRequestSchema) body: CreateAlertRuleRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AlertRule> {
    await this.limit(user, res);
    return this.rules.create(body, { id: user.id, username: user.username });
  }

  /** Some of a rule's fields; see AlertRulesService.update for what starts the rule over. */
  @Roles('operator')
  @Patch('rules/:id')
  async update(
    @CurrentUser() user: VerifiedUser,
    @Param('id', AlertRuleIdPipe) id: number,
    @ZodBody(UpdateAlertRuleRequestSchema) body: UpdateAlertRuleRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AlertRule> {
    await this.limit(user, res);
    return this.rules.update(id, body);
  }

  @Roles('operator')
  @Delete('rules/:id')
  @HttpCode(204)
  async remove(
    @CurrentUser() user: VerifiedUser,
    @Param('id', AlertRuleIdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.limit(user, res);
    await this.rules.remove(id);
  }

  /** Rules that fired and resolved, newest first. */
  @Get('history')
  @ApiQuery({ name: 'before', required: false })
  @ApiQuery({ name: 'limit', required: false })
  history(
    @Query(new ZodPipe(AlertHistoryQuerySchema)) query: { before?: string; limit: number },
  ): Promise<AlertHistoryResponse> {
    return this.rules.history(query);
  }

  private async limit(user: VerifiedUser, res: Response) {
    const waitMs = await this.limiter.take(user.id);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      throw new HttpException(
        `Too many alert rule changes, slow down: retry in ${waitMs} ms`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
  }
}

import { Controller, HttpException, HttpStatus, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import type { Annotation } from '@realtime/contracts';
import { CreateAnnotationRequestSchema } from '@realtime/contracts/schemas';

import { CurrentUser } from '../../common/current-user.decorator';
import { Roles, Scope } from '../../common/roles.decorator';
import { ZodBody } from '../../common/zod-body';
import { RateLimits, type UserRateLimit } from '../../infra/rate-limit/user-rate-limit';
import type { VerifiedUser } from '../auth/token.service';
import { AnnotationsService } from './annotations.service';

/** Annotations a user may post: a burst of 20, then one every 3 seconds. */
const ANNOTATE_PER_S = 1 / 3;
const ANNOTATE_BURST = 20;

@ApiTags('annotations')
@ApiBearerAuth()
@Controller('annotations')
export class AnnotationsController {
  private readonly limiter: UserRateLimit;

  constructor(
    private readonly annotations: AnnotationsService,
    rateLimits: RateLimits,
  ) {
    this.limiter = rateLimits.create('annotate', ANNOTATE_PER_S, ANNOTATE_BURST);
  }

  /** A mark on every chart (a deploy, an incident), pushed live to every open dashboard. */
  // API keys with the annotations:write scope are let in too (issue 12).
  @Roles('operator')
  @Scope('annotations:write')
  @Post()
  async create(
    @CurrentUser() user: VerifiedUser,
    @ZodBody(CreateAnnotationRequestSchema) body: { text: string; kind?: string; time?: number },
    @Res({ passthrough: true }) res: Response,
  ): Promise<Annotation> {
    const waitMs = await this.limiter.take(user.id);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
      throw new HttpException(
        `Too many annotations, slow down: retry in ${waitMs} ms`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    return this.annotations.create(
      { text: body.text, kind: body.kind ?? 'note', time: body.time ?? Date.now() },
      { id: user.id, username: user.username },
    );
  }
}

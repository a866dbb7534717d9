import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  Headers,
  HttpCode,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import {
  type AuthUser,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  ORDERS_LIST_DEFAULT_LIMIT,
  ORDERS_LIST_MAX_LIMIT,
  type CreateOrderRequest,
  type Order,
  type OrderListResponse,
} from '@realtime/contracts';
import { CreateOrderRequestSchema, IdempotencyKeySchema, describeIssues } from '@realtime/contracts/schemas';

import { ActionRateLimits } from '../../common/action-rate-limits';
import { CurrentUser } from '../../common/current-user.decorator';
import { Roles, Scope } from '../../common/roles.decorator';
import { ZodBody } from '../../common/zod-body';
import { IdempotencyConflictError, OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly limits: ActionRateLimits,
  ) {}

  /** 201 with the stored order; a repeat with the same Idempotency-Key replays the first answer. */
  @Post()
  @HttpCode(201)
  @Roles('operator')
  @Scope('orders:write')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'printable ASCII, 1–128 characters' })
  async create(
    @CurrentUser() user: AuthUser,
    @ZodBody(CreateOrderRequestSchema) body: CreateOrderRequest,
    @Headers(IDEMPOTENCY_KEY_HEADER) rawKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Order> {
    await this.limits.spend('order', user);
    let key: string | undefined;
    if (rawKey !== undefined) {
      const parsed = IdempotencyKeySchema.safeParse(rawKey);
      if (!parsed.success) throw new BadRequestException(`Idempotency-Key: ${describeIssues(parsed.error)}`);
      key = parsed.data;
    }
    try {
      const { order, replayed } = await this.orders.create(user.id, body, key);
      if (replayed) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return order;
    } catch (err) {
      if (err instanceof IdempotencyConflictError) throw new ConflictException(err.message);
      throw err;
    }
  }

  @Get()
  async list(@Query('limit') limit?: unknown): Promise<OrderListResponse> {
    return { items: await this.orders.recent(parseLimit(limit)) };
  }
}

function parseLimit(raw: unknown): number {
  if (raw === undefined) return ORDERS_LIST_DEFAULT_LIMIT;
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= ORDERS_LIST_MAX_LIMIT)) {
    throw new BadRequestException(`limit: must be a whole number from 1 to ${ORDERS_LIST_MAX_LIMIT}`);
  }
  return n;
}

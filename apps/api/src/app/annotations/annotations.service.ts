import { BadRequestException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Selectable } from 'kysely';

import type { Annotation } from '@realtime/contracts';

import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DATABASE } from '../../infra/database/database.module';
import type { DatabaseHandle } from '../../infra/database/database.provider';
import type { AnnotationsTable } from '../../infra/database/schema';
import { DashboardService } from '../dashboard/dashboard.service';

/** Most annotations one history answer carries (the newest of the range). */
export const ANNOTATIONS_PER_RANGE_MAX = 1000;
const DAY_MS = 86_400_000;

export interface NewAnnotation {
  text: string;
  kind: string;
  time: number;
  ruleId?: number;
}

export type AnnotationAuthor = { id: number; username: string } | { system: true };

export function toAnnotation(row: Selectable<AnnotationsTable>): Annotation {
  const annotation: Annotation = {
    id: Number(row.id),
    time: Number(row.time),
    kind: row.kind,
    text: row.text,
    createdBy:
      row.created_by === null
        ? { system: true }
        : { id: Number(row.created_by), username: row.created_by_name ?? '' },
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
  if (row.rule_id !== null) annotation.ruleId = Number(row.rule_id);
  return annotation;
}

/** Marks on the charts' time axis: stored, published live, read back with a history range. */
@Injectable()
export class AnnotationsService {
  private readonly logger = new Logger(AnnotationsService.name);

  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly dashboard: DashboardService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** Stores one annotation and publishes it to every open dashboard stream of the cluster. */
  async create(input: NewAnnotation, author: AnnotationAuthor): Promise<Annotation> {
    const now = Date.now();
    const earliest = now - this.config.historyRetentionDays * DAY_MS;
    if (input.time < earliest || input.time > now + DAY_MS) {
      throw new BadRequestException(
        `time: must be within the kept history (the last ${this.config.historyRetentionDays} days) and at most a day ahead`,
      );
    }
    const row = await this.db
      .insertInto('annotations')
      .values({
        time: input.time,
        kind: input.kind,
        text: input.text,
        created_by: 'system' in author ? null : author.id,
        created_by_name: 'system' in author ? null : author.username,
        rule_id: input.ruleId ?? null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const annotation = toAnnotation(row);
    try {
      await this.dashboard.publishAnnotation(JSON.stringify(annotation));
    } catch (err) {
      // Stored: the charts get it with their next history read.
      this.logger.warn(`Annotation ${annotation.id} not pushed live: ${(err as Error).message}`);
    }
    return annotation;
  }

  /** The annotations from `from` to `to` (epoch ms, inclusive), oldest first, the newest 1000 at most. */
  async range(from: number, to: number): Promise<Annotation[]> {
    const rows = await this.db
      .selectFrom('annotations')
      .selectAll()
      .where('time', '>=', from)
      .where('time', '<=', to)
      .orderBy('time', 'desc')
      .orderBy('id', 'desc')
      .limit(ANNOTATIONS_PER_RANGE_MAX)
      .execute();
    return rows.reverse().map(toAnnotation);
  }

  /** Deletes the annotations placed before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const result = await this.db.deleteFrom('annotations').where('time', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows ?? 0);
  }
}

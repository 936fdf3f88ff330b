import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { z } from 'zod';

export const SYNC_TRIGGERS = ['schedule', 'manual'] as const;

/** The provider URL is a setting of the worker; the payload only says who started the sync. */
export class PlansSyncPayloadDto {
  @ApiPropertyOptional({ enum: SYNC_TRIGGERS, description: 'Who started it' })
  @IsOptional()
  @IsIn(SYNC_TRIGGERS)
  trigger?: (typeof SYNC_TRIGGERS)[number];
}

/** One online plan as the gateway stores it; prices are decimal text. */
export const planRecordSchema = z
  .object({
    basePlanId: z.string().min(1).max(100),
    planId: z.string().min(1).max(100),
    title: z.string().max(1000),
    startsAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
    endsAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
    minPrice: z.string().regex(/^\d{1,12}(\.\d{1,6})?$/),
    maxPrice: z.string().regex(/^\d{1,12}(\.\d{1,6})?$/),
  })
  .strict();
export type PlanRecord = z.infer<typeof planRecordSchema>;

/** AMQP `type` of a chunk of a sync's plans on `conveyor.status`. */
export const PLANS_CHUNK_TYPE = 'plans.chunk';
export const PLANS_CHUNK_MAX = 5000;
export const plansChunkSchema = z
  .object({
    taskId: z.string().uuid(),
    attempt: z.number().int().min(1),
    index: z.number().int().min(0),
    plans: z.array(planRecordSchema).min(1).max(PLANS_CHUNK_MAX),
  })
  .strict();
export type PlansChunk = z.infer<typeof plansChunkSchema>;

/** What a sync reports when it succeeds (its plans went ahead in chunks). */
export interface PlansSyncResult {
  chunks: number;
  /** Online plans accepted from the feed. */
  seen: number;
  /** Plans left out, by reason (offline, invalid_date, missing_attribute, ...). */
  skipped: Record<string, number>;
  /** Oddities that did not cost the plan its place (say, a zone listed twice). */
  warnings: Record<string, number>;
}

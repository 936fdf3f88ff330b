import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Priority, TaskErrorInfo, TaskStatus } from '@conveyor/contracts';

@Entity({ name: 'tasks' })
export class TaskEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  type!: string;

  @Column('jsonb')
  payload!: unknown;

  @Column('text')
  priority!: Priority;

  @Column('text')
  status!: TaskStatus;

  @Column('smallint')
  progress!: number;

  @Column('jsonb', { nullable: true })
  result!: unknown;

  @Column('jsonb', { nullable: true })
  error!: TaskErrorInfo | null;

  @Column('int')
  attempts!: number;

  @Column('int', { name: 'max_attempts' })
  maxAttempts!: number;

  @Column('timestamptz', { name: 'run_at' })
  runAt!: Date;

  @Column('text', { name: 'idempotency_key', nullable: true })
  idempotencyKey!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'queued_at', nullable: true })
  queuedAt!: Date | null;

  @Column('timestamptz', { name: 'started_at', nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A message waiting to be published; written in the same transaction as the change it announces. */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column('uuid', { name: 'task_id', nullable: true })
  taskId!: string | null;

  @Column('int', { nullable: true })
  attempt!: number | null;

  @Column('text')
  exchange!: string;

  @Column('text', { name: 'routing_key' })
  routingKey!: string;

  @Column('text', { name: 'message_id' })
  messageId!: string;

  @Column('text', { name: 'message_type' })
  messageType!: string;

  @Column('jsonb')
  body!: unknown;

  @Column('jsonb')
  headers!: Record<string, unknown>;

  @Column('timestamptz', { name: 'available_at' })
  availableAt!: Date;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}

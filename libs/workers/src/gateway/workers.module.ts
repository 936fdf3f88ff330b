import { Module } from '@nestjs/common';
import { WorkersRepository } from './workers.repository';
import { WorkersService } from './workers.service';

/** The gateway side of the workers list: heartbeats in, `GET /workers` out. */
@Module({ providers: [WorkersRepository, WorkersService], exports: [WorkersService] })
export class WorkersModule {}

import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { IdBatchTasksRepository } from './id-batch-tasks.repository';
import { IdBatchMaterializer } from './id-batch.materializer';
import { IdBatchesRepository } from './id-batches.repository';
import { IdBatchesService } from './id-batches.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

@Module({
  imports: [TasksModule],
  providers: [
    UsersRepository,
    UsersService,
    IdBatchesRepository,
    IdBatchTasksRepository,
    IdBatchesService,
    IdBatchMaterializer,
  ],
  exports: [UsersService, IdBatchesService],
})
export class UsersModule {}

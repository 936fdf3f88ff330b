import { Module } from '@nestjs/common';
import { TasksModule } from '@conveyor/tasks/gateway';
import { DeadLettersRepository } from './dead-letters.repository';
import { DeadLettersService } from './dead-letters.service';

/** Dead letters kept for operators: stored as the gateway reads them, listed, replayed, discarded. */
@Module({
  imports: [TasksModule],
  providers: [DeadLettersRepository, DeadLettersService],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}

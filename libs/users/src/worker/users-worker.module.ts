import { Module } from '@nestjs/common';
import { UserProcessHandler } from './user-process.handler';

/** The worker side of users: the user.process handler. */
@Module({ providers: [UserProcessHandler] })
export class UsersWorkerModule {}

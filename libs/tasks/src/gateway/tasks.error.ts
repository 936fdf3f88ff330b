import { AppError } from '@conveyor/common';

export class TasksError extends AppError {}

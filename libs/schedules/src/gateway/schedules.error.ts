import { AppError } from '@conveyor/common';

export class SchedulesError extends AppError {}

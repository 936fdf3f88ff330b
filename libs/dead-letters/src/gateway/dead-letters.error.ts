import { AppError } from '@conveyor/common';

export class DeadLettersError extends AppError {}

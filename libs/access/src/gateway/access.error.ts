import { AppError } from '@conveyor/common';

export class AccessError extends AppError {}

import { AppError } from '@conveyor/common';

export class UsersError extends AppError {}

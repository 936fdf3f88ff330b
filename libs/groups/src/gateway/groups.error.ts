import { AppError } from '@conveyor/common';

export class GroupsError extends AppError {}

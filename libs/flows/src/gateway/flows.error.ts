import { AppError } from '@conveyor/common';

export class FlowsError extends AppError {}

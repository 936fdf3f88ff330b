import { AppError } from '@conveyor/common';

/** Errors of currencies, conversions and the rate table. */
export class CurrencyError extends AppError {}

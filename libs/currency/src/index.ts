export * from './conversions.service';
export * from './currencies.dto';
export * from './currencies.service';
export * from './currency.error';
export * from './currency.module';
export * from './ecb-rates';
export * from './money';
export * from './rates.service';

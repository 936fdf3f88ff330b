export * from './conversions.service';
export * from './currencies.dto';
export * from './currencies.service';
export * from './currency.error';
export * from './currency.module';

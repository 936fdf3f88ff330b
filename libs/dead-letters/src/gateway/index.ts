export * from './dead-letter-record';
export * from './dead-letters.dto';
export * from './dead-letters.error';
export * from './dead-letters.module';
export * from './dead-letters.service';

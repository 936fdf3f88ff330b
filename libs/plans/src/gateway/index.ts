export * from './plans.dto';
export * from './plans.module';
export * from './plans.service';
export * from './search.service';

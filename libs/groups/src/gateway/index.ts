export * from './groups.dto';
export * from './groups.error';
export * from './groups.module';
export * from './groups.service';

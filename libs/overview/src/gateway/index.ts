export * from './overview.dto';
export * from './overview.module';
export * from './overview.service';

export * from './workers.dto';
export * from './workers.module';
export * from './workers.repository';
export * from './workers.service';

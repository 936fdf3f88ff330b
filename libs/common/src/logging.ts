import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@conveyor/config';

/** pino JSON logs; request logs only when LOG_HTTP is on (they dominate under load). */
export function loggingModule(config: AppConfig, name: string) {
  return LoggerModule.forRoot({
    pinoHttp: {
      name,
      level: config.log.level,
      autoLogging: config.log.http,
      quietReqLogger: true,
    },
  });
}

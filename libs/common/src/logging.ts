import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@conveyor/config';

/**
 * pino JSON logs; request logs only when LOG_HTTP is on (they dominate under load). Without them,
 * `GET /search` (the hot read path) skips the per-request logger altogether.
 */
export function loggingModule(config: AppConfig, name: string) {
  return LoggerModule.forRoot({
    exclude: config.log.http ? [] : [{ method: RequestMethod.GET, path: 'search' }],
    pinoHttp: {
      name,
      level: config.log.level,
      autoLogging: config.log.http,
      quietReqLogger: true,
    },
  });
}

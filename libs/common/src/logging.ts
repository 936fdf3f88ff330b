import { RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from '@conveyor/config';

/**
 * pino JSON logs, on stderr: stdout carries data (the gateway's enriched casino events, one JSON
 * line each). Request logs only when LOG_HTTP is on (they dominate under load); without them,
 * `GET /search` (the hot read path) skips the per-request logger altogether.
 */
export function loggingModule(config: AppConfig, name: string) {
  return LoggerModule.forRoot({
    exclude: config.log.http ? [] : [{ method: RequestMethod.GET, path: 'search' }],
    pinoHttp: [
      {
        name,
        level: config.log.level,
        autoLogging: config.log.http,
        quietReqLogger: true,
        // Keys travel in these: never in a log line.
        redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      },
      process.stderr,
    ],
  });
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PROTOBUF } from '../event';

/** Lets POST /events take protobuf bodies (as a Buffer), within the same body limit as JSON. */
export function acceptProtobufBodies(app: NestFastifyApplication, bodyLimit: number): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser(PROTOBUF, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
}

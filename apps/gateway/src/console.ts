import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';

/** The console's build (`npm run build` puts it in dist/console, beside dist/apps). */
const ROOT = resolve(__dirname, '../../../console');

/** The page may load its own files and call this gateway; nothing else, and it is never framed. */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'";

/**
 * Serves the operator console at /console/ (static files; the page calls the API with the session
 * cookie). Its files hold no data, so they are public; every call they make is checked.
 */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  if (!existsSync(join(ROOT, 'index.html'))) {
    new Logger('Console').warn(`no console build in ${ROOT}: run npm run build`);
    return;
  }
  await app.register(fastifyStatic, {
    root: ROOT,
    prefix: '/console/',
    decorateReply: false,
    setHeaders: (reply, path) => {
      void reply.header('content-security-policy', CSP);
      void reply.header('x-content-type-options', 'nosniff');
      // Built assets carry a content hash in their names; the page itself is asked for afresh.
      void reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app
    .getHttpAdapter()
    .getInstance()
    .get('/console', (_req, reply) => reply.redirect('/console/'));
}

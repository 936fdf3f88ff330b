/**
 * What the compiled code loads at run time (type-only imports are erased, so they do not count
 * here): the worker process never reaches the database, and pool threads load nothing heavy.
 * Checked by `npm run lint` beside .dependency-cruiser.cjs.
 */
const { options } = require('./.dependency-cruiser.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'worker-no-database',
      comment:
        'The worker has no database: nothing it imports may reach TypeORM, pg, libs/db or a gateway side.',
      severity: 'error',
      from: { path: '^(apps/worker/|libs/[^/]+/src/(worker|cpu)/)' },
      to: {
        reachable: true,
        path: [
          'node_modules/(typeorm|pg|pg-pool|@nestjs/typeorm)/',
          '^libs/db/',
          '^libs/[^/]+/src/gateway/',
          '^apps/gateway/',
        ],
      },
    },
    {
      name: 'cpu-functions-light',
      comment:
        'What pool threads load (the cpu entry and *.cpu.ts functions) reaches no Nest, broker, Redis or database.',
      severity: 'error',
      from: { path: '(^libs/tasks/src/cpu/|\\.cpu\\.ts$)' },
      to: {
        reachable: true,
        path: 'node_modules/(@nestjs/[^/]+|amqplib|amqp-connection-manager|ioredis|piscina|typeorm|pg)/',
      },
    },
  ],
  options: { ...options, tsPreCompilationDeps: false },
};

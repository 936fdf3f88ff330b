/**
 * The import boundaries of apps/ and libs/ as written, type imports included (a cycle of types is
 * still a cycle). `npm run lint` checks them, and what the built code loads with
 * .dependency-cruiser.runtime.cjs; tools/boundaries.spec.ts shows each rule catching a violation.
 */
const DOMAIN_LIBS =
  '(tasks|users|currency|plans|events|access|schedules|flows|groups|workers|dead-letters|overview)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles anywhere: a cycle is two rooms that should be one, or a missing third.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'worker-not-gateway',
      comment: 'Worker sides import no database code and no gateway side, not even a type.',
      severity: 'error',
      from: { path: '^(apps/worker/|libs/[^/]+/src/(worker|cpu)/)' },
      to: { path: ['^libs/db/', '^libs/[^/]+/src/gateway/', '^apps/gateway/'] },
    },
    {
      name: 'gateway-not-worker',
      comment: 'The gateway never loads the worker runtime (the pool, handlers, the rate fetcher).',
      severity: 'error',
      from: { path: '^(apps/gateway/|libs/[^/]+/src/gateway/)' },
      to: { path: ['^libs/[^/]+/src/(worker|cpu)/', '^apps/worker/'] },
    },
    {
      name: 'libs-not-apps',
      comment: 'Libraries never import an app: apps are thin shells around them.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'console-standalone',
      comment:
        'apps/console runs in the browser and talks to the gateway over HTTP only: it imports nothing of the server.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^(libs|apps)/', pathNot: '^apps/console/' },
    },
    {
      name: 'contracts-standalone',
      comment:
        'libs/contracts is what both apps and outside publishers agree on: it imports nothing of the project.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/contracts/' },
    },
    {
      name: 'config-standalone',
      comment: 'libs/config is read first by everything: it imports nothing of the project.',
      severity: 'error',
      from: { path: '^libs/config/' },
      to: { path: '^(libs|apps)/', pathNot: '^libs/config/' },
    },
    {
      name: 'layers-point-down',
      comment: 'common < messaging, db < domain libraries: a lower layer never imports a higher one.',
      severity: 'error',
      from: { path: '^libs/(common|messaging|db)/' },
      to: { path: `^libs/${DOMAIN_LIBS}/` },
    },
    {
      name: 'common-below-infrastructure',
      comment: 'libs/common is below messaging and db (health checks of the broker live in messaging).',
      severity: 'error',
      from: { path: '^libs/common/' },
      to: { path: '^libs/(messaging|db)/' },
    },
    {
      name: 'infrastructure-apart',
      comment: 'The broker lib and the database lib do not know each other.',
      severity: 'error',
      from: { path: '^libs/(messaging|db)/' },
      to: { path: '^libs/(messaging|db)/', pathNot: '^libs/$1/' },
    },
    {
      name: 'entry-points-only',
      comment:
        'Another library is used through its entry point (@conveyor/<lib> or @conveyor/<lib>/<side>), never a file inside it.',
      severity: 'error',
      from: { path: '^(libs/([^/]+)|apps)/' },
      to: {
        path: '^libs/[^/]+/src/',
        pathNot: ['^libs/$2/', '^libs/[^/]+/src/((gateway|worker|cpu)/)?index\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};

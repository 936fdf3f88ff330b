/** One jest config: unit specs beside the code, integration specs in test/ against real servers. */
const paths = require('./tsconfig.json').compilerOptions.paths;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
// NestJS 12 ships ES modules; Jest's CommonJS runtime needs them (and their import.meta) transformed.
const esm = ['@nestjs'];
const transform = {
  '^.+\\.ts$': ['ts-jest', { isolatedModules: true }],
  [`node_modules/(${esm.join('|')})/.+\\.js$`]: '<rootDir>/test/support/esm-transformer.js',
};
const common = {
  moduleNameMapper,
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  // Integration tests wait on real servers and processes; their own deadlines are tighter.
  testTimeout: 240000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/tools/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};

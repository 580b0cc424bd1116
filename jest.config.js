/** Unit specs sit beside the code; end-to-end specs run against a real database (test/support). */
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};

// The client library (client/) is ES modules with explicit `.js` imports; Jest runs its sources.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      // examples/feature-module is a worked example of extending the server, tested as part of it.
      testMatch: [
        '<rootDir>/test/**/*.e2e-spec.ts',
        '<rootDir>/examples/feature-module/test/*.e2e-spec.ts',
      ],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFiles: ['<rootDir>/test/support/test-env.ts'],
      slowTestThreshold: 30,
    },
    {
      // Short in `npm test`; `npm run test:faults` sets FAULTS_PROFILE=full (test/faults/support).
      displayName: 'faults',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'],
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/faults/support/global-teardown.ts',
      setupFiles: [
        '<rootDir>/test/faults/support/faults-env.ts',
        '<rootDir>/test/support/test-env.ts',
      ],
      slowTestThreshold: 120,
    },
  ],
  testTimeout: 60_000,
};

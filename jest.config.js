// NestJS 12 ships ESM-only packages; swc transforms both our TS and those .js files to CJS for Jest.
const swc = ['@swc/jest', {
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json', 'node'],
  testEnvironment: '<rootDir>/test/support/node-realm-environment.js',
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', setupFilesAfterEnv: ['<rootDir>/test/support/slow-timeout.js'], testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'integration', setupFilesAfterEnv: ['<rootDir>/test/support/slow-timeout.js'], testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'] },
  ],
};

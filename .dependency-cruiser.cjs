/**
 * The architecture's arrows, checked in CI (`npm run lint:boundaries`):
 *   engine → engine (and node: built-ins, roaring);
 *   platform → engine and config;
 *   a module → platform, engine, config and other modules' index.ts (their public surface).
 * Test code (`*.spec.ts`) may also import test/support and other modules' fakes/; shipped code never
 * imports fakes.
 */
const TEST_SUPPORT = '^test/support/';

module.exports = {
  forbidden: [
    {
      name: 'engine-is-pure',
      comment: 'src/engine imports only src/engine: no framework, I/O, config, platform or modules.',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { pathNot: ['^src/engine/', TEST_SUPPORT, '^node_modules/roaring/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'platform-imports-no-module',
      comment: 'src/platform imports only the engine and the validated config, never a feature module or the composition root.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: ['^src/modules/', '^src/[^/]+\\.ts$', '^src/cli/'] },
    },
    {
      name: 'modules-through-index',
      comment: "A module imports another module only through that module's index.ts (tests may also use its fakes/).",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$', '^src/modules/[^/]+/fakes/'] },
    },
    {
      name: 'fakes-only-in-tests',
      comment: 'In-memory fakes of repositories serve unit tests; code that ships never uses them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['\\.spec\\.ts$', '/fakes/'] },
      to: { path: ['/fakes/', '^src/platform/.*/fake-[^/]+\\.ts$'] },
    },
    {
      name: 'modules-not-composition',
      comment: 'Modules do not import the composition root, the process entry points or the CLI.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: ['^src/[^/]+\\.ts$', '^src/cli/'] },
    },
    {
      name: 'production-code-not-tests',
      comment: 'Code that ships does not import test or bench code.',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: ['^test/', '^bench/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
    exclude: { path: ['^dist/'] },
  },
};

/**
 * The layers of GroupPulse, checked on every `npm test` (test/layers.test.ts) and by `npm run check:layers`:
 *
 *   common/   contracts (events, live socket, read answers), config, time, placement, outcomes, http
 *             credentials, the bus, the store — imports nothing of the project but itself
 *   ingest/ processor/ directory/ alerts/ access/   the domain — import common/ (and each other only
 *             along the edges allowed below)
 *   api/      every Express router and Socket.io emitter, by feature — imports the domain and common/
 *   runtime/  the role builders, the HTTP shell, shutdown — imports anything below it
 *   bin/, simulator/, bench/, scripts/   entry points and tools on top
 *   web/      the board — imports only the contracts and pure helpers of common/ it is allowed
 *
 * Tests (*.test.ts) may reach any layer to set up their case; nothing else imports test/.
 * `npm run check:layers` prints every violation; `npx depcruise --config .dependency-cruiser.cjs --output-type dot …`
 * draws the graph.
 */
const TEST = '\\.test\\.ts$';
const DOMAIN = '^(ingest|processor|directory|alerts|access)/';

module.exports = {
  forbidden: [
    {
      name: 'no-test-imports',
      comment:
        'Only tests import test/: production code never depends on the harness. The benchmarks and the soak run ' +
        '(bench/, scripts/) are harnesses themselves and start services the way the tests do.',
      severity: 'error',
      from: { pathNot: [TEST, '^(test|bench|scripts)/'] },
      to: { path: '^test/' },
    },
    {
      name: 'common-imports-common',
      comment: 'common/ is the bottom layer: it imports nothing of the project but itself.',
      severity: 'error',
      from: { path: '^common/', pathNot: TEST },
      to: { path: '^(ingest|processor|directory|alerts|access|api|runtime|bin|simulator|bench|scripts|web)/' },
    },
    {
      name: 'domain-below-api',
      comment: 'The domain folders never import the HTTP/socket layer, the runtime or the tools above it.',
      severity: 'error',
      from: { path: DOMAIN, pathNot: TEST },
      to: { path: '^(api|runtime|bin|simulator|bench|scripts|web)/' },
    },
    {
      name: 'domain-apart',
      comment:
        'Domain folders do not import each other, except: alerts -> directory (alerts judge the groups the ' +
        'directory places, from its index and its activity reads) and alerts -> access (an alert goes to the ' +
        'leads of its units: who leads a unit is the users-and-roles domain\'s, access/leads.ts).',
      severity: 'error',
      from: { path: '^(ingest|processor|directory|alerts|access)/', pathNot: TEST },
      to: {
        path: '^(ingest|processor|directory|alerts|access)/',
        pathNot: ['^$1/', '^(directory|access)/'],
      },
    },
    {
      name: 'domain-apart-except-alerts',
      comment: 'Only alerts/ may import directory/ and access/ (see domain-apart).',
      severity: 'error',
      from: { path: '^(ingest|processor|directory|access)/', pathNot: TEST },
      to: { path: '^(directory|access)/', pathNot: '^$1/' },
    },
    {
      name: 'api-below-runtime',
      comment: 'api/ is built by runtime/, never the other way round.',
      severity: 'error',
      from: { path: '^api/', pathNot: TEST },
      to: { path: '^(runtime|bin|simulator|bench|scripts|web)/' },
    },
    {
      name: 'runtime-below-entry-points',
      severity: 'error',
      from: { path: '^runtime/', pathNot: TEST },
      to: { path: '^(bin|bench|scripts|web)/' },
    },
    {
      name: 'web-imports-contracts-only',
      comment: 'The board imports only the contracts and pure helpers of common/ (types, pure functions): no server code.',
      severity: 'error',
      from: { path: '^web/' },
      to: {
        path: '^(common|ingest|processor|directory|alerts|access|api|runtime|bin|simulator|bench|scripts|test)/',
        pathNot: '^common/(live\\.ts|time\\.ts|contracts/)',
      },
    },
    {
      name: 'web-types-only-from-zod-contracts',
      comment: 'Contracts holding zod schemas are the server\'s to run; the board takes their types only (no zod in the bundle).',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^common/contracts/(board|summary|params)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'board-contracts-stay-pure',
      comment: 'What the board imports values from runs in the browser: no Node modules, no zod.',
      severity: 'error',
      from: { path: '^common/(live|time)\\.ts$|^common/contracts/(access|alerts|sql|admin)\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'board-contracts-no-zod',
      severity: 'error',
      from: { path: '^common/(live|time)\\.ts$|^common/contracts/(access|alerts|sql|admin)\\.ts$' },
      to: { path: 'node_modules/zod/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles among production files.',
      severity: 'error',
      from: { pathNot: TEST },
      to: { circular: true, pathNot: TEST },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '(^|/)dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.svelte'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

// Which tests a run takes, in one place: the tags of mocha test titles ("@market ...") and the property test
// files. .solcover.js and hardhat.config.ts read them.
// Plain CommonJS so that .solcover.js can require it without a TypeScript loader.

/**
 * Tests of the off-chain code: the CLI, market, Docker runtime, scheduler, SMS, result store, deployment tooling,
 * stack, official SDK and explorer. Some need Docker, Chromium or a build of dist/; none covers a contract line
 * beyond what the contract tests do. `npm run test:contracts` and coverage leave them out.
 */
const OFF_CHAIN_TAGS = [
  "@cli",
  "@market",
  "@docker",
  "@scheduler",
  "@sms",
  "@results",
  "@deploy",
  "@stack",
  "@compat",
  "@explorer",
];

/**
 * Contract tests that coverage alone leaves out: the gas bounds (@gas) measure real code, and instrumented code
 * costs more gas (their paths are covered by the other tests). `npm run test:contracts` runs them.
 */
const COVERAGE_SKIPPED_TAGS = ["@gas"];

/**
 * The files of the property tests (fast-check), relative to the repository: `npm run test:property` runs them at
 * the CI profile (test/property-runs.ts: 10 times the local run counts); SKIP_PROPERTY_FILES=1 leaves them out of
 * another run (CI's `npm test`, so that they do not run twice). Some hold example tests too, which follow them.
 */
const PROPERTY_FILES = [
  "test/hub/escrow.property.test.ts",
  "test/market/cached-store.test.ts",
  "test/market/fuzz.test.ts",
  "test/market/store.property.test.ts",
  "test/matching/preflight.property.test.ts",
  "test/matching/property.test.ts",
  "test/orders/hashing.test.ts",
  "test/sdk/order-json.test.ts",
  "test/sdk/recover.test.ts",
  "test/sdk/units.test.ts",
  "test/tasks/consensus.property.test.ts",
];

/** A mocha `grep` matching any title that carries one of `tags`. */
function tagPattern(tags) {
  return new RegExp(tags.map((tag) => tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

module.exports = { OFF_CHAIN_TAGS, COVERAGE_SKIPPED_TAGS, PROPERTY_FILES, tagPattern };

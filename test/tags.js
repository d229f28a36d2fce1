// The tags of mocha test titles ("@market ..."), in one place: .solcover.js and hardhat.config.ts read them.
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

/** A mocha `grep` matching any title that carries one of `tags`. */
function tagPattern(tags) {
  return new RegExp(tags.map((tag) => tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
}

module.exports = { OFF_CHAIN_TAGS, COVERAGE_SKIPPED_TAGS, tagPattern };

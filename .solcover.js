// Coverage of contracts/ (mocks excluded): thresholds are enforced by scripts/check-coverage.ts.
const { OFF_CHAIN_TAGS, COVERAGE_SKIPPED_TAGS, tagPattern } = require("./test/tags");

module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["html", "lcov", "text-summary", "json-summary"],
  // Off-chain tests (test/tags.js) cover no contract line and would only slow the instrumented run down; the
  // gas bounds measure real code, which instrumented code is not.
  mocha: {
    timeout: 300000,
    grep: tagPattern([...OFF_CHAIN_TAGS, ...COVERAGE_SKIPPED_TAGS]),
    invert: true,
  },
};

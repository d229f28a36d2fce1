// Coverage of contracts/ (mocks excluded): thresholds are enforced by scripts/check-coverage.ts.
module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["html", "lcov", "text-summary", "json-summary"],
  // The CLI tests (@cli) run the built binary against the chain: they cover no contract line and
  // would only slow the instrumented run down.
  mocha: { timeout: 300000, grep: "@cli", invert: true },
};

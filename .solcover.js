// Coverage of contracts/ (mocks excluded): thresholds are enforced by scripts/check-coverage.ts.
module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["html", "lcov", "text-summary", "json-summary"],
  mocha: { timeout: 300000 },
};

// Coverage of contracts/ (mocks excluded): thresholds are enforced by scripts/check-coverage.ts.
module.exports = {
  skipFiles: ["mocks/"],
  istanbulReporter: ["html", "lcov", "text-summary", "json-summary"],
  // The CLI (@cli), market (@market), scheduler (@scheduler), SMS (@sms), result store (@results), Docker (@docker),
  // deployment tooling (@deploy: CREATE2 addresses of instrumented code differ), stack (@stack), official SDK (@compat)
  // and explorer (@explorer) tests exercise the off-chain code: they cover no contract
  // line beyond what the contract tests do, and would only slow the instrumented run down. The gas bounds (@gas)
  // measure real code: instrumented code costs more gas, and their paths are covered by the other tests.
  mocha: {
    timeout: 300000,
    grep: /@cli|@market|@docker|@scheduler|@sms|@results|@deploy|@stack|@compat|@explorer|@gas/,
    invert: true,
  },
};

import "@nomicfoundation/hardhat-toolbox";
import "hardhat-deploy";
import "hardhat-contract-sizer";
import { subtask } from "hardhat/config";
import path from "node:path";
import {
  TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD,
  TASK_TEST_GET_TEST_FILES,
} from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import { envNetworks } from "./scripts/lib/network-from-env";
import { explorerFromEnv } from "./scripts/lib/explorer-from-env";

// The compiler comes from the npm `solc` package (pinned in package.json at this exact version):
// this machine cannot download compilers, and a pinned solc-js keeps builds reproducible anywhere.
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

// Any network name other than hardhat/localhost (`--network sepolia`, `--network remote`, ...) is
// built from RPC_URL, DEPLOYER_PRIVATE_KEY and CHAIN_ID (scripts/lib/network-from-env.ts), and
// hardhat-deploy writes its addresses to deployments/<name>/. Checked only when selected.
const remoteNetworks = envNetworks(process.argv, process.env);
const remoteName = Object.keys(remoteNetworks)[0];

// Test selection (test/tags.js). TEST_SCOPE=contracts (`npm run test:contracts`): only the contract tests, without
// the off-chain ones, which need Docker, Chromium or a build of dist/ (hardhat's `--grep` cannot invert, hence
// this). TEST_SCOPE=property (`npm run test:property`): only the property test files. SKIP_PROPERTY_FILES=1:
// all but those (CI's `npm test`, as CI runs them apart at 10 times the run counts).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, shared with .solcover.js
const tags = require("./test/tags") as {
  OFF_CHAIN_TAGS: string[];
  PROPERTY_FILES: string[];
  tagPattern(tags: string[]): RegExp;
};
const mochaScope =
  process.env.TEST_SCOPE === "contracts" ? { grep: tags.tagPattern(tags.OFF_CHAIN_TAGS), invert: true } : {};
subtask(TASK_TEST_GET_TEST_FILES, async (_args, _hre, runSuper) => {
  const files = (await runSuper()) as string[];
  const property = new Set(tags.PROPERTY_FILES.map((file) => path.resolve(__dirname, file)));
  if (process.env.TEST_SCOPE === "property") {
    const missing = [...property].filter((file) => !files.includes(file));
    if (missing.length > 0) throw new Error(`property test files not found: ${missing.join(", ")}`);
    return files.filter((file) => property.has(file));
  }
  if (process.env.SKIP_PROPERTY_FILES === "1") return files.filter((file) => !property.has(file));
  return files;
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: process.env.NO_OPT !== "1", runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["storageLayout"] } },
      // No metadata hash in the bytecode: the CREATE2 addresses of the deployment (the hub's
      // among them) then move only when code changes, not when a comment of an import does.
      metadata: { bytecodeHash: "none" },
    },
  },
  networks: {
    hardhat: { hardfork: "cancun", chainId: 31337 },
    localhost: { url: "http://127.0.0.1:8545", chainId: 31337 },
    ...remoteNetworks,
  },
  namedAccounts: {
    deployer: { default: 0 },
  },
  // Explorer verification (scripts/verify-deployment.ts): ETHERSCAN_API_KEY, or a custom explorer.
  ...(remoteName ? explorerFromEnv(remoteName, process.env) : {}),
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  contractSizer: { runOnCompile: false, strict: true, except: ["mocks/"] },
  gasReporter: { enabled: process.env.REPORT_GAS === "true" },
  // PROPERTY_PROFILE=ci (`npm run test:property`) runs the property tests 10 times longer (test/property-runs.ts).
  mocha: { timeout: process.env.PROPERTY_PROFILE === "ci" ? 1_200_000 : 120_000, ...mochaScope },
};

export default config;

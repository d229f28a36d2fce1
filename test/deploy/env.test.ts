/**
 * The deploy tooling's environment variables: the named network built from RPC_URL and friends,
 * the explorer configuration, the CREATE2 salt and the gas price. Every missing or malformed
 * variable must fail with an error that names it.
 */
import { expect } from "chai";
import { EnvError } from "../../scripts/lib/env";
import { envNetworks, networkFromEnv, selectedNetwork } from "../../scripts/lib/network-from-env";
import { explorerFromEnv } from "../../scripts/lib/explorer-from-env";
import { DEFAULT_DEPLOY_SALT, deploySalt } from "../../scripts/lib/deterministic";
import { coreDeployOptions, txOverrides } from "../../scripts/lib/deploy-options";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** Runs `fn`, expects an EnvError about `variable` whose message matches `message`. */
function expectEnvError(fn: () => unknown, variable: string, message: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an error about ${variable}`).to.be.instanceOf(EnvError);
  expect((caught as EnvError).variable).to.equal(variable);
  expect((caught as EnvError).message).to.match(message);
}

describe("@deploy environment", () => {
  describe("selectedNetwork", () => {
    it("reads --network <name>, --network=<name>, then HARDHAT_NETWORK", () => {
      expect(selectedNetwork(["node", "hardhat", "deploy", "--network", "sepolia"], {})).to.equal("sepolia");
      expect(selectedNetwork(["deploy", "--network=bellecour"], {})).to.equal("bellecour");
      expect(selectedNetwork(["test"], { HARDHAT_NETWORK: "remote" })).to.equal("remote");
      expect(selectedNetwork(["test"], {})).to.equal(undefined);
    });
  });

  describe("envNetworks", () => {
    it("adds the selected network under its own name, built from the environment", () => {
      const networks = envNetworks(["--network", "sepolia"], {
        RPC_URL: "https://rpc.example.org",
        CHAIN_ID: "11155111",
      });
      expect(Object.keys(networks)).to.deep.equal(["sepolia"]);
      expect(networks.sepolia).to.include({
        url: "https://rpc.example.org",
        chainId: 11155111,
        accounts: "remote",
      });
    });

    it("leaves hardhat and localhost alone, and checks nothing for them", () => {
      expect(envNetworks(["--network", "localhost"], { RPC_URL: "not a url" })).to.deep.equal({});
      expect(envNetworks(["test"], { DEPLOYER_PRIVATE_KEY: "junk" })).to.deep.equal({});
    });
  });

  describe("networkFromEnv", () => {
    it("uses the node's unlocked accounts without DEPLOYER_PRIVATE_KEY", () => {
      expect(networkFromEnv("dev", { RPC_URL: "http://127.0.0.1:8545" }).accounts).to.equal("remote");
    });

    it("signs with DEPLOYER_PRIVATE_KEY, with or without 0x", () => {
      expect(
        networkFromEnv("dev", { RPC_URL: "http://n", DEPLOYER_PRIVATE_KEY: KEY }).accounts,
      ).to.deep.equal([KEY]);
      expect(
        networkFromEnv("dev", { RPC_URL: "http://n", DEPLOYER_PRIVATE_KEY: KEY.slice(2) }).accounts,
      ).to.deep.equal([KEY]);
    });

    it("names RPC_URL and the network when RPC_URL is missing", () => {
      expectEnvError(() => networkFromEnv("sepolia", {}), "RPC_URL", /RPC_URL is not set.*"sepolia"/);
      expectEnvError(() => networkFromEnv("sepolia", { RPC_URL: "  " }), "RPC_URL", /RPC_URL is not set/);
    });

    it("names RPC_URL when it is not an http(s)/ws(s) URL", () => {
      expectEnvError(() => networkFromEnv("x", { RPC_URL: "127.0.0.1:8545" }), "RPC_URL", /RPC_URL/);
      expectEnvError(() => networkFromEnv("x", { RPC_URL: "ftp://node" }), "RPC_URL", /http\(s\) or ws\(s\)/);
    });

    it("names DEPLOYER_PRIVATE_KEY when malformed, without echoing it", () => {
      for (const bad of ["0x1234", KEY + "00", "0x" + "zz".repeat(32), "0x" + "00".repeat(32)]) {
        expectEnvError(
          () => networkFromEnv("x", { RPC_URL: "http://n", DEPLOYER_PRIVATE_KEY: bad }),
          "DEPLOYER_PRIVATE_KEY",
          /DEPLOYER_PRIVATE_KEY is not a private key/,
        );
      }
      const message = (() => {
        try {
          networkFromEnv("x", { RPC_URL: "http://n", DEPLOYER_PRIVATE_KEY: "0xdeadbeefsecret" });
        } catch (error) {
          return (error as Error).message;
        }
        return "no error";
      })();
      expect(message).to.match(/DEPLOYER_PRIVATE_KEY/);
      expect(message).not.to.include("deadbeefsecret");
    });

    it("names CHAIN_ID when it is not a positive integer", () => {
      for (const bad of ["abc", "0", "-1", "1.5", "0x10"]) {
        expectEnvError(
          () => networkFromEnv("x", { RPC_URL: "http://n", CHAIN_ID: bad }),
          "CHAIN_ID",
          /CHAIN_ID/,
        );
      }
    });
  });

  describe("explorerFromEnv", () => {
    it("turns verification off without any explorer variable", () => {
      const config = explorerFromEnv("sepolia", {});
      expect(config.etherscan).to.include({ enabled: false });
      expect(config.blockscout).to.include({ enabled: false });
    });

    it("uses one Etherscan key for every chain", () => {
      expect(explorerFromEnv("sepolia", { ETHERSCAN_API_KEY: "KEY" }).etherscan).to.include({
        enabled: true,
        apiKey: "KEY",
      });
    });

    it("adds a custom Blockscout explorer for the network", () => {
      const config = explorerFromEnv("bellecour", {
        EXPLORER_API_URL: "https://blockscout.example.org/api",
        EXPLORER_BROWSER_URL: "https://blockscout.example.org",
        CHAIN_ID: "134",
      });
      expect(config.blockscout).to.deep.equal({
        enabled: true,
        customChains: [
          {
            network: "bellecour",
            chainId: 134,
            urls: {
              apiURL: "https://blockscout.example.org/api",
              browserURL: "https://blockscout.example.org",
            },
          },
        ],
      });
    });

    it("adds a custom Etherscan-compatible explorer, which needs ETHERSCAN_API_KEY", () => {
      const env = {
        EXPLORER_KIND: "etherscan",
        EXPLORER_API_URL: "https://api.scan.example.org/api",
        EXPLORER_BROWSER_URL: "https://scan.example.org",
        EXPLORER_CHAIN_ID: "77",
      };
      expectEnvError(() => explorerFromEnv("x", env), "ETHERSCAN_API_KEY", /EXPLORER_KIND=etherscan/);
      const config = explorerFromEnv("x", { ...env, ETHERSCAN_API_KEY: "K" });
      expect(config.etherscan?.customChains?.[0]).to.deep.include({ network: "x", chainId: 77 });
    });

    it("names what is missing or malformed", () => {
      const api = { EXPLORER_API_URL: "https://e.example.org/api" };
      expectEnvError(
        () => explorerFromEnv("x", { ...api, CHAIN_ID: "1" }),
        "EXPLORER_BROWSER_URL",
        /EXPLORER_BROWSER_URL/,
      );
      expectEnvError(
        () => explorerFromEnv("x", { ...api, EXPLORER_BROWSER_URL: "https://e.example.org" }),
        "EXPLORER_CHAIN_ID",
        /EXPLORER_CHAIN_ID/,
      );
      expectEnvError(
        () =>
          explorerFromEnv("x", {
            ...api,
            EXPLORER_BROWSER_URL: "https://e.example.org",
            CHAIN_ID: "1",
            EXPLORER_KIND: "sourcify",
          }),
        "EXPLORER_KIND",
        /"blockscout" or "etherscan"/,
      );
    });
  });

  describe("deploySalt and gas price", () => {
    it("defaults the salt to keccak256('OpenPoCo') and takes DEPLOY_SALT as bytes32", () => {
      expect(deploySalt({})).to.equal(DEFAULT_DEPLOY_SALT);
      // Changing the default moves every address of every chain: it must stay this value.
      expect(DEFAULT_DEPLOY_SALT).to.equal(
        "0xb7f90e956e5cb898bcaadf248f8826b39298e9475e8e0b1bae11f28fafff2c00",
      );
      const salt = "0x" + "01".repeat(32);
      expect(deploySalt({ DEPLOY_SALT: salt })).to.equal(salt);
      expect(coreDeployOptions({ DEPLOY_SALT: salt }).deterministicDeployment).to.equal(salt);
    });

    it("names DEPLOY_SALT when it is not 32 bytes of hex", () => {
      for (const bad of ["hello", "0x1234", "0x" + "zz".repeat(32)]) {
        expectEnvError(() => deploySalt({ DEPLOY_SALT: bad }), "DEPLOY_SALT", /DEPLOY_SALT must be 32 bytes/);
      }
    });

    it("reads GAS_PRICE_GWEI in gwei and names it when malformed", () => {
      expect(txOverrides({})).to.deep.equal({});
      expect(txOverrides({ GAS_PRICE_GWEI: "1.5" })).to.deep.equal({ gasPrice: 1_500_000_000n });
      expect(coreDeployOptions({ GAS_PRICE_GWEI: "2" }).gasPrice).to.equal("2000000000");
      for (const bad of ["cheap", "0", "-1"]) {
        expectEnvError(() => txOverrides({ GAS_PRICE_GWEI: bad }), "GAS_PRICE_GWEI", /GAS_PRICE_GWEI/);
      }
    });
  });
});

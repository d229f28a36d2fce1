import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import { TypedDataEncoder } from "ethers";
import { deployBareHub, deployCore } from "../fixtures";

describe("Hub configuration", () => {
  async function registries(): Promise<[string, string, string]> {
    return [
      (await deployments.get("AppRegistry")).address,
      (await deployments.get("DatasetRegistry")).address,
      (await deployments.get("WorkerpoolRegistry")).address,
    ];
  }

  it("is configured by the deploy script", async () => {
    const { hub, rlc } = await deployCore();
    const [app, dataset, workerpool] = await registries();
    expect(await hub.token()).to.equal(await rlc.getAddress());
    expect(await hub.appregistry()).to.equal(app);
    expect(await hub.datasetregistry()).to.equal(dataset);
    expect(await hub.workerpoolregistry()).to.equal(workerpool);
    expect(await hub.name()).to.equal("Staked RLC");
    expect(await hub.symbol()).to.equal("SRLC");
    expect(await hub.decimals()).to.equal(9n);
    expect(await hub.callbackgas()).to.equal(100_000n);
    expect(await hub.teebroker()).to.equal(ethers.ZeroAddress);
  });

  it("exposes the protocol constants", async () => {
    const { hub } = await deployCore();
    expect(await hub.contribution_deadline_ratio()).to.equal(7n);
    expect(await hub.reveal_deadline_ratio()).to.equal(2n);
    expect(await hub.final_deadline_ratio()).to.equal(10n);
    expect(await hub.workerpool_stake_ratio()).to.equal(30n);
    expect(await hub.kitty_ratio()).to.equal(10n);
    expect(await hub.kitty_min()).to.equal(10n ** 9n);
    expect(await hub.groupmember_purpose()).to.equal(4n);
    const kitty = ethers.getAddress("0x" + ethers.id("openpoco.kitty").slice(26));
    expect(await hub.kitty_address()).to.equal(kitty);
  });

  it("configures once, with the facets' token and a null legacy hub", async () => {
    const { rlc, accounts } = await deployCore();
    const token = await rlc.getAddress();
    const hub = await deployBareHub(token);
    const [app, dataset, workerpool] = await registries();
    const args = (overrides: Partial<Record<"token" | "app" | "legacy", string>>) =>
      [
        overrides.token ?? token,
        "Staked RLC",
        "SRLC",
        9,
        overrides.app ?? app,
        dataset,
        workerpool,
        overrides.legacy ?? ethers.ZeroAddress,
      ] as const;

    await expect(hub.connect(accounts[0]).configure(...args({})))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(accounts[0].address);
    await expect(hub.configure(...args({ token: app })))
      .to.be.revertedWithCustomError(hub, "TokenMismatch")
      .withArgs(token, app);
    await expect(hub.configure(...args({ legacy: accounts[1].address })))
      .to.be.revertedWithCustomError(hub, "UnsupportedLegacyHub")
      .withArgs(accounts[1].address);
    await expect(hub.configure(...args({ app: ethers.ZeroAddress })))
      .to.be.revertedWithCustomError(hub, "InvalidRegistry")
      .withArgs(ethers.ZeroAddress);
    expect(await hub.appregistry()).to.equal(ethers.ZeroAddress);

    await expect(hub.configure(...args({})))
      .to.emit(hub, "Configured")
      .withArgs(token, app, dataset, workerpool);
    await expect(hub.configure(...args({}))).to.be.revertedWithCustomError(hub, "AlreadyConfigured");
  });

  it("changes registries, owner only, to contracts only", async () => {
    const { hub, rlc, accounts } = await deployCore();
    const [app, dataset, workerpool] = await registries();
    await expect(
      hub.connect(accounts[0]).changeRegistries(workerpool, app, dataset),
    ).to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount");
    await expect(hub.changeRegistries(app, accounts[2].address, workerpool))
      .to.be.revertedWithCustomError(hub, "InvalidRegistry")
      .withArgs(accounts[2].address);
    const other = await rlc.getAddress(); // any contract will do for this check
    await expect(hub.changeRegistries(other, dataset, workerpool))
      .to.emit(hub, "RegistriesChanged")
      .withArgs(other, dataset, workerpool);
    expect(await hub.appregistry()).to.equal(other);
  });

  it("sets the TEE broker and the callback gas within bounds", async () => {
    const { hub, accounts } = await deployCore();
    await expect(hub.setTeeBroker(accounts[3].address))
      .to.emit(hub, "TeeBrokerChanged")
      .withArgs(ethers.ZeroAddress, accounts[3].address);
    expect(await hub.teebroker()).to.equal(accounts[3].address);
    await expect(hub.connect(accounts[0]).setTeeBroker(accounts[0].address)).to.be.revertedWithCustomError(
      hub,
      "OwnableUnauthorizedAccount",
    );

    await expect(hub.setCallbackGas(200_000)).to.emit(hub, "CallbackGasChanged").withArgs(100_000n, 200_000n);
    expect(await hub.callbackgas()).to.equal(200_000n);
    await expect(hub.setCallbackGas(0))
      .to.be.revertedWithCustomError(hub, "CallbackGasOutOfRange")
      .withArgs(0n, 5_000_000n);
    await expect(hub.setCallbackGas(5_000_001))
      .to.be.revertedWithCustomError(hub, "CallbackGasOutOfRange")
      .withArgs(5_000_001n, 5_000_000n);
    await expect(hub.connect(accounts[0]).setCallbackGas(1)).to.be.revertedWithCustomError(
      hub,
      "OwnableUnauthorizedAccount",
    );
    expect(await hub.callbackgas()).to.equal(200_000n);
  });

  it("returns the iExecODB EIP-712 domain and its separator", async () => {
    const { hub } = await deployCore();
    const { chainId } = await ethers.provider.getNetwork();
    const domain = await hub.domain();
    expect([domain.name, domain.version, domain.chainId, domain.verifyingContract]).to.deep.equal([
      "iExecODB",
      "5.0.0",
      chainId,
      await hub.getAddress(),
    ]);
    const expected = TypedDataEncoder.hashDomain({
      name: "iExecODB",
      version: "5.0.0",
      chainId,
      verifyingContract: await hub.getAddress(),
    });
    expect(await hub.eip712domain_separator()).to.equal(expected);
  });

  it("reports the separator of the current chain id on updateDomainSeparator", async () => {
    const { hub } = await deployCore();
    const { chainId } = await ethers.provider.getNetwork();
    const hubAddress = await hub.getAddress();
    const expected = TypedDataEncoder.hashDomain({
      name: "iExecODB",
      version: "5.0.0",
      chainId,
      verifyingContract: hubAddress,
    });
    await expect(hub.updateDomainSeparator())
      .to.emit(hub, "DomainSeparatorUpdated")
      .withArgs(expected, chainId);
  });
});

import { expect } from "chai";
import { deployments, ethers } from "hardhat";
import type { TypedDataDomain } from "ethers";
import { createAssets, deployCore, type Assets, type Core } from "../fixtures";
import {
  OrderOperation,
  appOrder,
  datasetOrder,
  hashOrder,
  hubDomain,
  requestOrder,
  signOrderOperation,
  workerpoolOrder,
} from "../../src/sdk";
import type { AppRegistry } from "../../typechain-types";

describe("Order management (presign, close, broadcast)", () => {
  interface Setup extends Core, Assets {
    domain: TypedDataDomain;
  }

  async function setup(): Promise<Setup> {
    const core = await deployCore();
    const [, appOwner, datasetOwner, scheduler] = core.accounts;
    const assets = await createAssets(appOwner, datasetOwner, scheduler);
    const { chainId } = await ethers.provider.getNetwork();
    return { ...core, ...assets, domain: hubDomain(chainId, await core.hub.getAddress()) };
  }

  it("presigns an app order for its owner, then closes it", async () => {
    const { hub, app, appOwner, domain } = await setup();
    const order = appOrder({ app, appprice: 5n * 10n ** 9n, volume: 3n });
    const hash = hashOrder(domain, "app", order);
    expect(await hub.viewPresigned(hash)).to.equal(ethers.ZeroAddress);

    await expect(hub.connect(appOwner).manageAppOrder({ order, operation: OrderOperation.SIGN, sign: "0x" }))
      .to.emit(hub, "SignedAppOrder")
      .withArgs(hash);
    expect(await hub.viewPresigned(hash)).to.equal(appOwner.address);
    expect(await hub.verifyPresignature(appOwner.address, hash)).to.equal(true);
    expect(await hub.viewConsumed(hash)).to.equal(0n);

    await expect(hub.connect(appOwner).manageAppOrder({ order, operation: OrderOperation.CLOSE, sign: "0x" }))
      .to.emit(hub, "ClosedAppOrder")
      .withArgs(hash);
    expect(await hub.viewConsumed(hash)).to.equal(3n);
  });

  it("accepts an operation relayed with the owner's signature of it, for each order kind", async () => {
    const { hub, app, dataset, workerpool, appOwner, datasetOwner, scheduler, accounts, domain } =
      await setup();
    const relayer = accounts[5];
    const requester = accounts[6];
    const cases = [
      { kind: "app" as const, owner: appOwner, order: appOrder({ app }), signed: "SignedAppOrder" },
      { kind: "dataset" as const, owner: datasetOwner, order: datasetOrder({ dataset }), signed: "SignedDatasetOrder" },
      { kind: "workerpool" as const, owner: scheduler, order: workerpoolOrder({ workerpool }), signed: "SignedWorkerpoolOrder" },
      { kind: "request" as const, owner: requester, order: requestOrder({ app, dataset, workerpool, requester: requester.address }), signed: "SignedRequestOrder" },
    ]; // prettier-ignore
    for (const { kind, owner, order, signed } of cases) {
      const operation = await signOrderOperation(owner, domain, kind, order, OrderOperation.SIGN);
      const hash = hashOrder(domain, kind, order);
      const call = {
        app: () => hub.connect(relayer).manageAppOrder(operation as never),
        dataset: () => hub.connect(relayer).manageDatasetOrder(operation as never),
        workerpool: () => hub.connect(relayer).manageWorkerpoolOrder(operation as never),
        request: () => hub.connect(relayer).manageRequestOrder(operation as never),
      }[kind];
      await expect(call()).to.emit(hub, signed).withArgs(hash);
      expect(await hub.viewPresigned(hash)).to.equal(owner.address, kind);
    }
  });

  it("closes each order kind, by its owner, consuming the whole volume", async () => {
    const { hub, app, dataset, workerpool, datasetOwner, scheduler, accounts, domain } = await setup();
    const requester = accounts[6];
    const close = { operation: OrderOperation.CLOSE, sign: "0x" };
    const d = datasetOrder({ dataset, volume: 7n });
    await expect(hub.connect(datasetOwner).manageDatasetOrder({ order: d, ...close }))
      .to.emit(hub, "ClosedDatasetOrder")
      .withArgs(hashOrder(domain, "dataset", d));
    const w = workerpoolOrder({ workerpool, volume: 8n, trust: 5n });
    await expect(hub.connect(scheduler).manageWorkerpoolOrder({ order: w, ...close }))
      .to.emit(hub, "ClosedWorkerpoolOrder")
      .withArgs(hashOrder(domain, "workerpool", w));
    const r = requestOrder({ app, requester: requester.address, volume: 9n, params: '{"iexec_args":"x"}' });
    await expect(hub.connect(requester).manageRequestOrder({ order: r, ...close }))
      .to.emit(hub, "ClosedRequestOrder")
      .withArgs(hashOrder(domain, "request", r));
    expect(await hub.viewConsumed(hashOrder(domain, "dataset", d))).to.equal(7n);
    expect(await hub.viewConsumed(hashOrder(domain, "workerpool", w))).to.equal(8n);
    expect(await hub.viewConsumed(hashOrder(domain, "request", r))).to.equal(9n);
  });

  it("refuses a non-owner without a signature, and a signature of another operation", async () => {
    const { hub, app, appOwner, accounts, domain } = await setup();
    const stranger = accounts[5];
    const order = appOrder({ app });
    const hash = hashOrder(domain, "app", order);
    await expect(hub.connect(stranger).manageAppOrder({ order, operation: OrderOperation.CLOSE, sign: "0x" }))
      .to.be.revertedWithCustomError(hub, "OperationNotAuthorized")
      .withArgs(hash, appOwner.address, stranger.address);
    // The owner signed SIGN: the same signature must not CLOSE the order.
    const signed = await signOrderOperation(appOwner, domain, "app", order, OrderOperation.SIGN);
    await expect(hub.connect(stranger).manageAppOrder({ ...signed, operation: OrderOperation.CLOSE }))
      .to.be.revertedWithCustomError(hub, "OperationNotAuthorized")
      .withArgs(hash, appOwner.address, stranger.address);
    expect(await hub.viewConsumed(hash)).to.equal(0n);
    expect(await hub.viewPresigned(hash)).to.equal(ethers.ZeroAddress);
  });

  it("refuses an operation signed for another chain id or another hub", async () => {
    const { hub, app, appOwner, accounts, domain } = await setup();
    const order = appOrder({ app });
    for (const other of [
      { ...domain, chainId: 1n },
      { ...domain, verifyingContract: accounts[9].address },
    ]) {
      const signed = await signOrderOperation(appOwner, other, "app", order, OrderOperation.CLOSE);
      await expect(hub.connect(accounts[5]).manageAppOrder(signed)).to.be.revertedWithCustomError(
        hub,
        "OperationNotAuthorized",
      );
    }
    expect(await hub.viewConsumed(hashOrder(domain, "app", order))).to.equal(0n);
  });

  it("follows the asset NFT: the former owner loses the right, the new owner gains it", async () => {
    const { hub, app, appOwner, accounts, domain } = await setup();
    const newOwner = accounts[7];
    const registry = (await ethers.getContractAt(
      "AppRegistry",
      (await deployments.get("AppRegistry")).address,
    )) as unknown as AppRegistry;
    await registry.connect(appOwner).transferFrom(appOwner.address, newOwner.address, BigInt(app));
    const order = appOrder({ app });
    const hash = hashOrder(domain, "app", order);
    await expect(hub.connect(appOwner).manageAppOrder({ order, operation: OrderOperation.SIGN, sign: "0x" }))
      .to.be.revertedWithCustomError(hub, "OperationNotAuthorized")
      .withArgs(hash, newOwner.address, appOwner.address);
    const stale = await signOrderOperation(appOwner, domain, "app", order, OrderOperation.SIGN);
    await expect(hub.connect(accounts[5]).manageAppOrder(stale)).to.be.revertedWithCustomError(
      hub,
      "OperationNotAuthorized",
    );
    await hub.connect(newOwner).manageAppOrder({ order, operation: OrderOperation.SIGN, sign: "0x" });
    expect(await hub.viewPresigned(hash)).to.equal(newOwner.address);
  });

  it("refuses orders for unregistered assets and request orders with no requester", async () => {
    const { hub, accounts, domain } = await setup();
    const ghost = accounts[8].address;
    const [app, dataset, workerpool] = await Promise.all([
      hub.appregistry(),
      hub.datasetregistry(),
      hub.workerpoolregistry(),
    ]);
    const none = { operation: OrderOperation.SIGN, sign: "0x" };
    await expect(hub.manageAppOrder({ order: appOrder({ app: ghost }), ...none }))
      .to.be.revertedWithCustomError(hub, "AssetNotRegistered")
      .withArgs(app, ghost);
    await expect(hub.manageDatasetOrder({ order: datasetOrder({ dataset: ghost }), ...none }))
      .to.be.revertedWithCustomError(hub, "AssetNotRegistered")
      .withArgs(dataset, ghost);
    await expect(hub.manageWorkerpoolOrder({ order: workerpoolOrder({ workerpool: ghost }), ...none }))
      .to.be.revertedWithCustomError(hub, "AssetNotRegistered")
      .withArgs(workerpool, ghost);
    const orphan = requestOrder({ app: ghost });
    await expect(hub.manageRequestOrder({ order: orphan, ...none }))
      .to.be.revertedWithCustomError(hub, "OperationNotAuthorized")
      .withArgs(
        hashOrder(domain, "request", orphan),
        ethers.ZeroAddress,
        (await ethers.getSigners())[0].address,
      );
  });

  it("broadcasts each order kind in an event carrying the whole order", async () => {
    const { hub, app, dataset, workerpool } = await setup();
    const a = appOrder({ app, sign: "0x1234" });
    const receipt = await (await hub.broadcastAppOrder(a)).wait();
    const event = hub.interface.parseLog(receipt!.logs[0])!;
    expect(event.name).to.equal("BroadcastAppOrder");
    expect(event.args[0].app).to.equal(app);
    expect(event.args[0].salt).to.equal(a.salt);
    expect(event.args[0].sign).to.equal("0x1234");
    await expect(hub.broadcastDatasetOrder(datasetOrder({ dataset }))).to.emit(hub, "BroadcastDatasetOrder");
    await expect(hub.broadcastWorkerpoolOrder(workerpoolOrder({ workerpool }))).to.emit(
      hub,
      "BroadcastWorkerpoolOrder",
    );
    await expect(hub.broadcastRequestOrder(requestOrder({ app, params: "args" }))).to.emit(
      hub,
      "BroadcastRequestOrder",
    );
  });
});

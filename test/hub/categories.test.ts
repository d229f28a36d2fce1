import { expect } from "chai";
import { deployCore } from "../fixtures";
import { DEFAULT_CATEGORIES } from "../../deploy/03_categories";

describe("Hub categories", () => {
  it("has the five default categories after deployment", async () => {
    const { hub } = await deployCore();
    expect(await hub.countCategory()).to.equal(5n);
    const refs = [];
    for (let id = 0; id < 5; id++) {
      const category = await hub.viewCategory(id);
      expect(category.name).to.equal(DEFAULT_CATEGORIES[id].name);
      expect(category.description).to.equal(DEFAULT_CATEGORIES[id].description);
      refs.push(Number(category.workClockTimeRef));
    }
    expect(refs).to.deep.equal([300, 1200, 3600, 10800, 36000]);
  });

  it("creates a category with the next id", async () => {
    const { hub } = await deployCore();
    expect(await hub.createCategory.staticCall("GPU", '{"gpu":true}', 7200)).to.equal(5n);
    await expect(hub.createCategory("GPU", '{"gpu":true}', 7200))
      .to.emit(hub, "CreateCategory")
      .withArgs(5n, "GPU", '{"gpu":true}', 7200n);
    expect(await hub.countCategory()).to.equal(6n);
    const category = await hub.viewCategory(5);
    expect([category.name, category.description, category.workClockTimeRef]).to.deep.equal([
      "GPU",
      '{"gpu":true}',
      7200n,
    ]);
  });

  it("rejects a non-owner, a zero time reference and unknown ids", async () => {
    const { hub, accounts } = await deployCore();
    await expect(hub.connect(accounts[0]).createCategory("X", "", 1))
      .to.be.revertedWithCustomError(hub, "OwnableUnauthorizedAccount")
      .withArgs(accounts[0].address);
    await expect(hub.createCategory("X", "", 0))
      .to.be.revertedWithCustomError(hub, "InvalidWorkClockTimeRef")
      .withArgs(0n);
    // Beyond 2^32 s, task deadlines would not fit their 40-bit timestamps: tasks could never be initialized.
    await expect(hub.createCategory("X", "", 2n ** 32n + 1n))
      .to.be.revertedWithCustomError(hub, "InvalidWorkClockTimeRef")
      .withArgs(2n ** 32n + 1n);
    await expect(hub.viewCategory(5)).to.be.revertedWithCustomError(hub, "UnknownCategory").withArgs(5n, 5n);
    expect(await hub.countCategory()).to.equal(5n);
    await (await hub.createCategory("X", "", 2n ** 32n)).wait();
    expect((await hub.viewCategory(5)).workClockTimeRef).to.equal(2n ** 32n);
  });
});

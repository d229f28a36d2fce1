import { expect } from "chai";
import { artifacts } from "hardhat";
import { canonicalSignatures, missingSignatures, readReferenceAbi } from "./signatures";

/**
 * The official clients encode calls and decode logs from the reference ABIs: every function and
 * event of those must exist on ours with the same types (parameter names may differ).
 */
describe("ABI compatibility with the reference (@iexec/poco 6.1.0)", () => {
  const fullyRequired: [referenceFile: string, ourContract: string][] = [
    ["App.json", "App"],
    ["Dataset.json", "Dataset"],
    ["Workerpool.json", "Workerpool"],
    ["AppRegistry.json", "AppRegistry"],
    ["DatasetRegistry.json", "DatasetRegistry"],
    ["WorkerpoolRegistry.json", "WorkerpoolRegistry"],
    ["IRegistry.json", "AppRegistry"],
    ["IRegistry.json", "DatasetRegistry"],
    ["IRegistry.json", "WorkerpoolRegistry"],
  ];

  for (const [referenceFile, ours] of fullyRequired) {
    it(`${ours} has every signature of ${referenceFile}`, async () => {
      const { abi } = await artifacts.readArtifact(ours);
      expect(missingSignatures(readReferenceAbi(referenceFile), abi)).to.deep.equal([]);
    });
  }

  it("the hub has every function and event of IexecInterfaceToken.json", async () => {
    const reference = readReferenceAbi("IexecInterfaceToken.json").filter(
      (item) => !["fallback", "receive", "error", "constructor"].includes((item as { type: string }).type),
    );
    const { abi } = await artifacts.readArtifact("IHub");
    expect(missingSignatures(reference, abi)).to.deep.equal([]);
    // Guard against a vacuous pass (an empty or unreadable reference).
    expect(canonicalSignatures(reference).size).to.be.greaterThan(120);
  });

  it("the hub proxy accepts any call (fallback) and plain transfers (receive), like the reference", async () => {
    const { abi } = await artifacts.readArtifact("HubProxy");
    const kinds = abi.map(
      (item: { type: string; stateMutability?: string }) => `${item.type}:${item.stateMutability}`,
    );
    expect(kinds).to.include.members(["fallback:payable", "receive:payable"]);
  });
});

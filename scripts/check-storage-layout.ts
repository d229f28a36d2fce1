import hre from "hardhat";
import { brokenEntries, currentLayout, readSnapshot, SNAPSHOT, writeSnapshot } from "./lib/storage-layout";

/**
 * Checks that the hub's storage layout only grew since the committed snapshot; with
 * UPDATE_LAYOUT=1, records the current layout as the new snapshot (after an intended append).
 */
async function main() {
  await hre.run("compile", { quiet: true });
  const current = await currentLayout(hre);
  if (process.env.UPDATE_LAYOUT === "1") {
    writeSnapshot(current);
    console.log(`storage layout: ${current.length} entries written to ${SNAPSHOT}`);
    return;
  }
  const broken = brokenEntries(readSnapshot(), current);
  if (broken.length > 0) {
    console.error("storage layout: these members moved, changed or vanished since the snapshot:");
    for (const line of broken) console.error(`  ${line}`);
    process.exitCode = 1;
    return;
  }
  console.log(`storage layout: ${current.length} entries, compatible with the snapshot`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

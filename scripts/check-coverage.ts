import fs from "node:fs";
import path from "node:path";

/**
 * Fails when the Solidity coverage of contracts/ (mocks excluded, see .solcover.js) falls under
 * the project's floor: 95% of lines and 90% of branches. Prints each file under the floor.
 */
const FLOOR = { lines: 95, branches: 90 };
const summaryFile = path.join(__dirname, "..", "coverage", "coverage-summary.json");

interface Metric {
  total: number;
  covered: number;
  pct: number;
}
type Summary = Record<string, { lines: Metric; branches: Metric }>;

const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Summary;
const { total, ...files } = summary;
let failed = false;
for (const metric of ["lines", "branches"] as const) {
  const pct = total[metric].total === 0 ? 100 : (100 * total[metric].covered) / total[metric].total;
  const ok = pct >= FLOOR[metric];
  failed ||= !ok;
  console.log(`${ok ? "ok  " : "FAIL"} ${metric}: ${pct.toFixed(2)}% (floor ${FLOOR[metric]}%)`);
}
for (const [file, metrics] of Object.entries(files)) {
  const low = (["lines", "branches"] as const).filter(
    (m) => metrics[m].total > 0 && metrics[m].pct < FLOOR[m],
  );
  if (low.length > 0) {
    console.log(
      `  under the floor: ${path.relative(process.cwd(), file)} (${low.map((m) => `${m} ${metrics[m].pct}%`).join(", ")})`,
    );
  }
}
if (failed) process.exit(1);

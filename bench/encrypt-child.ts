/**
 * Child process of bench/encrypt.ts: runs one `encryptFile` or `decryptFile` alone in a fresh process, so
 * its peak RSS is that of the operation (plus the runtime), and prints one JSON line with the result.
 *
 * Usage: node -r ts-node/register/transpile-only bench/encrypt-child.ts encrypt|decrypt|idle <in> <out> <hex key>
 */
import { decryptFile, encryptFile } from "../src/sdk/node/encryption";

/** What the child prints, as one JSON line on stdout. */
export interface ChildResult {
  /** Wall time of the operation alone, in milliseconds. */
  ms: number;
  /** Peak resident set size of the whole process, in MiB. */
  maxRssMiB: number;
  /** Checksum returned by `encryptFile` (empty for the other modes). */
  checksum: string;
}

async function main(): Promise<void> {
  const [mode, input, output, hexKey] = process.argv.slice(2);
  const key = Buffer.from(hexKey ?? "", "hex");
  const start = process.hrtime.bigint();
  let checksum = "";
  if (mode === "encrypt") {
    checksum = (await encryptFile(input, output, key)).checksum;
  } else if (mode === "decrypt") {
    await decryptFile(input, output, key);
  } else if (mode !== "idle") {
    throw new Error(`unknown mode ${mode}: use encrypt, decrypt or idle`);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  // resourceUsage().maxRSS is in KiB.
  const result: ChildResult = { ms, maxRssMiB: process.resourceUsage().maxRSS / 1024, checksum };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

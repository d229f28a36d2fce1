import fs from "node:fs";
import path from "node:path";
import { Fragment, ParamType } from "ethers";

/** Reference ABIs (`@iexec/poco@6.1.0`), vendored in `reference/poco-abi/`. */
export const REFERENCE_ABI_DIR = path.join(__dirname, "..", "..", "reference", "poco-abi");

export function readReferenceAbi(file: string): unknown[] {
  const json = JSON.parse(fs.readFileSync(path.join(REFERENCE_ABI_DIR, file), "utf8"));
  return Array.isArray(json) ? json : json.abi;
}

const typeOf = (p: ParamType) => p.format("sighash");

/**
 * What a client's encoding depends on, as one string per function or event: name, input types
 * and output types for functions (the selector and the return decoding), name, types and
 * `indexed` flags for events (the topic and the log decoding). Parameter names do not count.
 */
export function canonicalSignatures(abi: readonly unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of abi) {
    const fragment = Fragment.from(item as never);
    if (fragment.type === "function") {
      const f = fragment as unknown as { name: string; inputs: ParamType[]; outputs: ParamType[] };
      out.set(
        `function ${f.name}(${f.inputs.map(typeOf).join(",")}) returns (${f.outputs.map(typeOf).join(",")})`,
        f.name,
      );
    } else if (fragment.type === "event") {
      const e = fragment as unknown as { name: string; inputs: ParamType[] };
      out.set(
        `event ${e.name}(${e.inputs.map((p) => typeOf(p) + (p.indexed ? " indexed" : "")).join(",")})`,
        e.name,
      );
    } else if (fragment.type === "fallback") {
      out.set(
        (fragment as unknown as { payable: boolean }).payable ? "fallback payable" : "fallback",
        "fallback",
      );
    }
  }
  return out;
}

/** Signatures of `reference` that `ours` lacks, sorted. */
export function missingSignatures(reference: readonly unknown[], ours: readonly unknown[]): string[] {
  const have = canonicalSignatures(ours);
  return [...canonicalSignatures(reference).keys()].filter((s) => !have.has(s)).sort();
}

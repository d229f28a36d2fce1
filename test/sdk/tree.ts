/** File trees for the zip, encryption and dataset tests: written from a map, read back as a map; unsafe zips. */
import fs from "node:fs";
import path from "node:path";
import * as yazl from "yazl";

/** Writes `files` (relative path → content) under `dir`. */
export function writeTree(dir: string, files: Record<string, string | Buffer>): void {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** Reads every file under `dir` as relative path → hex content, to compare trees. */
export function readTree(dir: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (absolute: string, relative: string): void => {
    for (const child of fs.readdirSync(absolute, { withFileTypes: true })) {
      const childRelative = relative === "" ? child.name : `${relative}/${child.name}`;
      if (child.isDirectory()) walk(path.join(absolute, child.name), childRelative);
      else tree[childRelative] = fs.readFileSync(path.join(absolute, child.name)).toString("hex");
    }
  };
  walk(dir, "");
  return tree;
}

/**
 * Builds a zip whose single entry has the (unsafe) name `name`. yazl refuses such names, so the entry is
 * added under a harmless name of the same length and the name bytes are patched in both headers.
 */
export async function zipWithEntryName(name: string, outFile: string): Promise<void> {
  const placeholder = "x".repeat(name.length);
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from("owned"), placeholder, { mtime: new Date(2000, 0, 1) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  let patched = 0;
  for (let at = bytes.indexOf(placeholder); at !== -1; at = bytes.indexOf(placeholder, at + 1)) {
    bytes.write(name, at, "latin1");
    patched++;
  }
  // Both the local file header and the central directory name the entry.
  if (patched !== 2) throw new Error(`patched ${patched} names, expected 2`);
  fs.writeFileSync(outFile, bytes);
}

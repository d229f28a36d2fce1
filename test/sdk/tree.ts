/** File trees for the zip and encryption tests: write one from a map, read one back as a map. */
import fs from "node:fs";
import path from "node:path";

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

/**
 * Zip helpers of the SDK: deterministic zipping of a folder (datasets before encryption, task results)
 * and safe extraction of an archive. Both stream, so archive size does not bound memory.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import * as yazl from "yazl";
import { InvalidInputError, OpenPocoError } from "../core/errors";
import { closeFileStream, fileSystemError, tempPathNextTo } from "./files";

// Every entry gets this mtime, in DOS format only (no Info-ZIP "UT" field), so the archive bytes depend on
// neither the files' mtimes nor the machine's time zone: the same content always gives the same zip.
const FIXED_MTIME = new Date(2000, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;
const EXECUTABLE_MODE = 0o100755;
const DIRECTORY_MODE = 0o040755;

/** One thing to put in the archive: a file, or a folder with nothing in it (others are implied by paths). */
interface ZipItem {
  /** Path inside the archive, `/`-separated, relative to the zipped folder. */
  name: string;
  /** Path on disk. */
  source: string;
  directory: boolean;
  executable: boolean;
}

/** Lists what to archive under `dir`, sorted by archive path so the entry order never depends on the disk. */
async function collectItems(dir: string): Promise<ZipItem[]> {
  const items: ZipItem[] = [];
  async function walk(absolute: string, relative: string): Promise<void> {
    const children = await fsp.readdir(absolute, { withFileTypes: true });
    if (children.length === 0 && relative !== "") {
      items.push({ name: relative, source: absolute, directory: true, executable: false });
    }
    for (const child of children) {
      const childAbsolute = path.join(absolute, child.name);
      const childRelative = relative === "" ? child.name : `${relative}/${child.name}`;
      if (child.isDirectory()) {
        await walk(childAbsolute, childRelative);
      } else if (child.isFile()) {
        const stats = await fsp.stat(childAbsolute);
        items.push({
          name: childRelative,
          source: childAbsolute,
          directory: false,
          executable: (stats.mode & 0o111) !== 0,
        });
      } else {
        // Links could point outside the folder or loop, and devices have no content to archive.
        throw new InvalidInputError(
          `Cannot zip ${childAbsolute} because it is a symbolic link or special file: replace it with a regular file or folder.`,
        );
      }
    }
  }
  await walk(dir, "");
  // Plain code-unit order, not localeCompare, so the order is the same on every machine.
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return items;
}

/**
 * Zips the contents of folder `dir` into `outFile`, deflated, with entry paths relative to `dir`.
 *
 * The archive is deterministic: entries are sorted by path and carry a fixed mtime and a mode that only
 * records whether a file is executable, so zipping the same content twice gives the same bytes (and so the
 * same checksum). The archive is streamed to a temporary file next to `outFile` and renamed at the end,
 * so a failure never leaves a partial `outFile`.
 *
 * @param dir - Folder whose contents to archive; the folder itself is not an entry.
 * @param outFile - Path of the zip to write; its folder is created if needed and an existing file is replaced.
 * @throws InvalidInputError if `dir` is not a folder or contains symbolic links or special files.
 */
export async function zipFolder(dir: string, outFile: string): Promise<void> {
  let stats: fs.Stats;
  try {
    stats = await fsp.stat(dir);
  } catch {
    throw new InvalidInputError(`Cannot zip ${dir} because it does not exist: check the folder path.`);
  }
  if (!stats.isDirectory()) {
    throw new InvalidInputError(`Cannot zip ${dir} because it is not a folder: give the path of a folder.`);
  }
  const resolvedDir = path.resolve(dir);
  const resolvedOut = path.resolve(outFile);
  if (resolvedOut.startsWith(resolvedDir + path.sep)) {
    throw new InvalidInputError(
      `Cannot zip ${dir} into ${outFile} because the archive would be inside the folder: write it elsewhere.`,
    );
  }

  let items: ZipItem[];
  try {
    items = await collectItems(resolvedDir);
  } catch (error) {
    if (error instanceof OpenPocoError) throw error;
    throw fileSystemError("read folder", dir, error);
  }

  try {
    await fsp.mkdir(path.dirname(resolvedOut), { recursive: true });
  } catch (error) {
    throw fileSystemError("create folder", path.dirname(resolvedOut), error);
  }
  const temp = tempPathNextTo(resolvedOut);
  const zip = new yazl.ZipFile();
  for (const item of items) {
    if (item.directory) {
      zip.addEmptyDirectory(item.name, { mtime: FIXED_MTIME, mode: DIRECTORY_MODE, forceDosTimestamp: true });
    } else {
      // addFile opens each file lazily when its turn comes, so only one file is read at a time.
      zip.addFile(item.source, item.name, {
        mtime: FIXED_MTIME,
        mode: item.executable ? EXECUTABLE_MODE : FILE_MODE,
        compress: true,
        forceDosTimestamp: true,
      });
    }
  }
  zip.end();
  const output = fs.createWriteStream(temp);
  try {
    // yazl reports read errors (a file removed meanwhile) on the ZipFile, not on its output stream.
    const failed = new Promise<never>((_, reject) => zip.once("error", reject));
    failed.catch(() => undefined);
    await Promise.race([pipeline(zip.outputStream, output), failed]);
    await fsp.rename(temp, resolvedOut);
  } catch (error) {
    // The pipeline may still be waiting on yazl: close the file before removing it.
    output.destroy();
    await fsp.rm(temp, { force: true });
    throw fileSystemError("zip folder", `${dir} into ${outFile}`, error);
  }
}

/** Why an archive entry name cannot be extracted safely, or undefined if it can. */
function unsafeEntryReason(name: string): string | undefined {
  if (name.includes("\0")) return "contains a NUL character";
  if (name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name)) return "is an absolute path";
  if (name.split(/[\\/]/).includes("..")) return "contains `..` and would escape the target folder";
  return undefined;
}

/** Opens `zipFile` with yauzl, one entry at a time on demand. */
function openZip(zipFile: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Names are decoded and checked by us (with a clear error) rather than rejected by yauzl with its own.
    yauzl.open(zipFile, { lazyEntries: true, autoClose: true, decodeStrings: false }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    );
  });
}

/**
 * Extracts archive `zipFile` into folder `dir` and returns the relative paths of the extracted files,
 * in archive order (folders are created as needed and not listed).
 *
 * Entries are streamed one at a time. Everything is first extracted into a temporary folder next to
 * `dir`, which is renamed to `dir` only once every entry is out, so a failure leaves nothing behind.
 *
 * @param zipFile - Path of the zip archive.
 * @param dir - Folder to create; it must not exist, or be an empty folder.
 * @param options.maxBytes - Refuse archives whose files add up to more bytes than this once extracted
 *   (counted while writing, so a zip bomb stops at the limit).
 * @throws InvalidInputError if the archive is not a valid zip, has an entry whose path is absolute or
 *   escapes `dir` with `..`, or if `dir` already has content.
 */
export async function unzipTo(
  zipFile: string,
  dir: string,
  options: { maxBytes?: number } = {},
): Promise<string[]> {
  const maxBytes = options.maxBytes ?? Infinity;
  let written = 0;
  const target = path.resolve(dir);
  const existing = await fsp.readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    if (error.code === "ENOTDIR") {
      throw new InvalidInputError(`Cannot unzip into ${dir} because it is a file: choose a folder path.`);
    }
    throw fileSystemError("read folder", dir, error);
  });
  if (existing.length > 0) {
    throw new InvalidInputError(
      `Cannot unzip into ${dir} because it is not empty: remove it or choose another folder.`,
    );
  }

  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new InvalidInputError(`Cannot unzip ${zipFile} because it does not exist: check the path.`);
    }
    throw new InvalidInputError(
      `Cannot unzip ${zipFile} because it is not a valid zip archive (${detail}): give a zip file.`,
    );
  }

  let temp: string;
  try {
    await fsp.mkdir(path.dirname(target), { recursive: true });
    temp = await fsp.mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.unzip-`));
  } catch (error) {
    zip.close();
    throw fileSystemError("create a temporary folder next to", dir, error);
  }

  const extracted: string[] = [];
  // The entry being written, closed before the temporary folder is removed (see closeFileStream).
  let sink: fs.WriteStream | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        zip.close();
        reject(error);
      };
      zip.on("error", (error: Error) =>
        fail(
          new InvalidInputError(
            `Cannot unzip ${zipFile} because it is not a valid zip archive (${error.message}): give a zip file.`,
          ),
        ),
      );
      zip.on("end", () => {
        if (settled) return;
        settled = true;
        resolve();
      });
      zip.on("entry", (entry: yauzl.Entry) => {
        void extractEntry(entry).then(
          () => zip.readEntry(),
          (error: unknown) => fail(error),
        );
      });
      async function extractEntry(entry: yauzl.Entry): Promise<void> {
        // Same decoding as yauzl's own (UTF-8 flag, Info-ZIP path field, CP437), backslashes become slashes.
        const name = yauzl.getFileNameLowLevel(
          entry.generalPurposeBitFlag,
          entry.fileNameRaw,
          entry.extraFields,
          false,
        );
        const reason = unsafeEntryReason(name);
        if (reason !== undefined) {
          throw new InvalidInputError(
            `Refusing to unzip ${zipFile}: entry "${name}" ${reason}; use an archive with relative paths only.`,
          );
        }
        const isDirectory = name.endsWith("/");
        const destination = path.join(temp, ...name.split("/").filter((part) => part !== ""));
        // Second line of defence: after normalisation the path must still be inside the temporary folder.
        if (destination !== temp && !destination.startsWith(temp + path.sep)) {
          throw new InvalidInputError(
            `Refusing to unzip ${zipFile}: entry "${name}" escapes the target folder; use an archive with relative paths only.`,
          );
        }
        if (isDirectory) {
          await fsp.mkdir(destination, { recursive: true });
          return;
        }
        await fsp.mkdir(path.dirname(destination), { recursive: true });
        const input = await zip.openReadStreamPromise(entry);
        // Keep the executable bit only; anything else stems from the archiving machine.
        const unixMode = (entry.externalFileAttributes >>> 16) & 0o777;
        const mode = unixMode & 0o111 ? 0o755 : 0o644;
        // "wx": an archive listing the same name twice must not silently keep only the last copy.
        const limit = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            written += chunk.length;
            if (written > maxBytes)
              done(
                new InvalidInputError(
                  `Refusing to unzip ${zipFile}: it holds more than ${maxBytes} bytes once extracted; use a smaller archive.`,
                ),
              );
            else done(null, chunk);
          },
        });
        sink = fs.createWriteStream(destination, { flags: "wx", mode });
        await pipeline(input, limit, sink);
        extracted.push(name);
      }
      zip.readEntry();
    });
    // rename replaces an empty folder but refuses a non-empty one, so content added meanwhile is kept.
    await fsp.rename(temp, target);
  } catch (error) {
    if (sink) await closeFileStream(sink);
    await fsp.rm(temp, { recursive: true, force: true });
    if (error instanceof OpenPocoError) throw error;
    throw fileSystemError("unzip", `${zipFile} into ${dir}`, error);
  }
  return extracted;
}

/** Input file and dataset downloads (no Docker): names, size limits, checksums, decryption. */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { encryptFile, generateDatasetKey } from "../../src/sdk/node/encryption";
import { downloadDataset, downloadInputFiles, inputFileNames } from "../../src/worker/inputs";
import { TaskFailure } from "../../src/worker/task-failure";
import { rejectionOf } from "../rejection";

const sha256 = (data: string | Buffer) => `0x${createHash("sha256").update(data).digest("hex")}`;

describe("worker inputs", function () {
  let server: Server;
  let baseUrl: string;

  before(async function () {
    server = createServer((request, response) => {
      if (request.url === "/chunked/blob.bin") {
        // No content-length: the limit must be enforced while streaming.
        for (let i = 0; i < 8; i++) response.write(Buffer.alloc(1024, i));
        response.end();
      } else if (request.url === "/trickle/slow.bin") {
        // One byte, then nothing: a server that would hold a worker's slot forever.
        response.write("x");
        const hold = setInterval(() => response.write(""), 100);
        request.socket.once("close", () => clearInterval(hold));
      } else if (request.url?.startsWith("/ok/")) response.end(`content of ${request.url}`);
      else {
        response.statusCode = 404;
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(function () {
    server.close();
  });

  it("names files after the URL's last segment, sanitized and made unique", function () {
    expect(
      inputFileNames(
        [
          "https://a.example/x/data.csv",
          "https://b.example/y/data.csv?v=2",
          "https://c.example/data.csv",
          "https://d.example/",
          "https://e.example/..%2F..%2Fetc%2Fpasswd",
          "https://f.example/%C3%A9t%C3%A9 1.txt",
          "https://g.example/.hidden",
        ],
        ["data.csv"],
      ),
    ).to.deep.equal([
      "data_2.csv",
      "data_3.csv",
      "data_4.csv",
      "input",
      "_.._etc_passwd",
      "_t__1.txt",
      "hidden",
    ]);
  });

  it("downloads the files in order under those names", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openpoco-inputs-"));
    const names = await downloadInputFiles([`${baseUrl}/ok/a.txt`, `${baseUrl}/ok/a.txt`], dir, {
      maxBytes: 100,
    });
    expect(names).to.deep.equal(["a.txt", "a_2.txt"]);
    expect(await readFile(path.join(dir, "a_2.txt"), "utf8")).to.equal("content of /ok/a.txt");
  });

  it("stops a download past the size limit while streaming and deletes the partial file", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openpoco-inputs-"));
    const error = await rejectionOf(
      downloadInputFiles([`${baseUrl}/chunked/blob.bin`], dir, { maxBytes: 4096 }),
      TaskFailure,
    );
    expect(error.failure).to.equal("INPUT_FILE_DOWNLOAD_FAILED");
    expect(error.detail).to.include("too large");
    expect(await readdir(dir)).to.deep.equal([]);
    // The same file under a large enough limit is accepted.
    await downloadInputFiles([`${baseUrl}/chunked/blob.bin`], dir, { maxBytes: 8192 });
    expect((await readFile(path.join(dir, "blob.bin"))).length).to.equal(8192);
  });

  it("gives up a download that takes longer than its total time limit, deleting the partial file", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openpoco-inputs-"));
    const error = await rejectionOf(
      downloadInputFiles([`${baseUrl}/trickle/slow.bin`], dir, { maxBytes: 1e6, totalTimeoutMs: 300 }),
      TaskFailure,
    );
    expect(error.failure).to.equal("INPUT_FILE_DOWNLOAD_FAILED");
    expect(error.detail).to.include("took more than");
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it("refuses input files that are not http(s) URLs", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openpoco-inputs-"));
    const error = await rejectionOf(
      downloadInputFiles(["file:///etc/passwd"], dir, { maxBytes: 1e6 }),
      TaskFailure,
    );
    expect(error.failure).to.equal("INPUT_FILE_DOWNLOAD_FAILED");
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it("decrypts an encrypted dataset with its key after checking the encrypted bytes' checksum", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "openpoco-dataset-"));
    await writeFile(path.join(dir, "plain.txt"), "secret dataset\n");
    const key = generateDatasetKey();
    const { checksum } = await encryptFile(path.join(dir, "plain.txt"), path.join(dir, "data.enc"), key);
    const multiaddr = pathToFileURL(path.join(dir, "data.enc")).toString();
    // A multiaddr naming a file of the worker's own disk is refused unless the worker allows it (tests, mirrors).
    const local = await rejectionOf(
      downloadDataset({ multiaddr, checksum, key }, path.join(dir, "out"), { maxBytes: 1e6 }),
      TaskFailure,
    );
    expect(local.failure).to.equal("DATASET_DOWNLOAD_FAILED");
    expect(local.detail).to.include("file URLs are refused");
    await downloadDataset({ multiaddr, checksum, key }, path.join(dir, "out"), {
      maxBytes: 1e6,
      allowFileUrls: true,
    });
    expect(await readFile(path.join(dir, "out"), "utf8")).to.equal("secret dataset\n");
    // A checksum of the plain bytes is not the registered one: refused, nothing left.
    const error = await rejectionOf(
      downloadDataset({ multiaddr, checksum: sha256("secret dataset\n"), key }, path.join(dir, "out2"), {
        maxBytes: 1e6,
        allowFileUrls: true,
      }),
      TaskFailure,
    );
    expect(error.failure).to.equal("DATASET_BAD_CHECKSUM");
    expect((await readdir(dir)).sort()).to.deep.equal(["data.enc", "out", "plain.txt"]);
  });
});

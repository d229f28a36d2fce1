/**
 * The local stack's parts that need no chain: the chain journal, the supervisor of child processes, the
 * file host, and services noticing their supervisor's end. (@stack: left out of the coverage run.)
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ChainJournal } from "../../src/stack/chain-journal";
import { startFileHost } from "../../src/stack/file-host";
import { parentGone } from "../../src/stack/parent";
import { ChildStartError, Supervisor } from "../../src/stack/supervisor";
import { rejection } from "../rejection";

const block = (n: number, txs: string[] = []) => ({ n, t: 1_700_000_000 + n, txs });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("local stack parts @stack", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "openpoco-stack-parts-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("chain journal", function () {
    it("keeps appended blocks across reopenings, in order", function () {
      const file = path.join(dir, "chain", "blocks.jsonl");
      const journal = ChainJournal.open(file);
      expect(journal.head).to.equal(0);
      journal.append([block(1, ["0x01"]), block(2)]);
      journal.append([block(3, ["0x02", "0x03"])]);
      journal.close();
      const reopened = ChainJournal.open(file);
      expect(reopened.head).to.equal(3);
      expect(reopened.blocks).to.deep.equal([block(1, ["0x01"]), block(2), block(3, ["0x02", "0x03"])]);
      reopened.close();
    });

    it("cuts a torn last line (a crash mid-write) and appends after the last whole block", function () {
      const file = path.join(dir, "blocks.jsonl");
      const journal = ChainJournal.open(file);
      journal.append([block(1), block(2)]);
      journal.close();
      appendFileSync(file, '{"n":3,"t":17000');
      const reopened = ChainJournal.open(file);
      expect(reopened.head).to.equal(2);
      reopened.append([block(3)]);
      reopened.close();
      expect(
        readFileSync(file, "utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line).n),
      ).to.deep.equal([1, 2, 3]);
    });

    it("refuses a damaged journal, naming the line", function () {
      const file = path.join(dir, "blocks.jsonl");
      writeFileSync(file, [JSON.stringify(block(1)), "not json", JSON.stringify(block(2)), ""].join("\n"));
      expect(() => ChainJournal.open(file)).to.throw(/line 2 is not a block.*damaged/);
      writeFileSync(file, [JSON.stringify(block(1)), JSON.stringify(block(3)), ""].join("\n"));
      expect(() => ChainJournal.open(file)).to.throw(/line 2 holds block 3, expected 2/);
    });

    it("refuses to append a block out of order, leaving the file unchanged", function () {
      const file = path.join(dir, "blocks.jsonl");
      const journal = ChainJournal.open(file);
      journal.append([block(1)]);
      expect(() => journal.append([block(3)])).to.throw(/block 3 appended after block 1/);
      journal.close();
      expect(ChainJournal.open(file).head).to.equal(1);
    });
  });

  describe("supervisor", function () {
    const node = (script: string) => ({ command: process.execPath, args: ["-e", script], cwd: dir });

    it("counts a child ready at its JSON line, restarts it when it dies, and stops it", async function () {
      const events: string[] = [];
      const supervisor = new Supervisor(path.join(dir, "logs"), (message) => events.push(message));
      const counter = path.join(dir, "starts");
      // Dies shortly after its first start, stays up after the second.
      const script = `
        const fs = require("fs");
        fs.appendFileSync(${JSON.stringify(counter)}, "x");
        const starts = fs.readFileSync(${JSON.stringify(counter)}, "utf8").length;
        console.error("log line of start " + starts);
        console.log(JSON.stringify({ ok: true, starts }));
        setTimeout(() => { if (starts === 1) process.exit(3); }, 200);
        setInterval(() => {}, 1000);`;
      const answer = await supervisor.start({ name: "flaky", ...node(script) });
      expect(answer).to.deep.equal({ ok: true, starts: 1 });
      await until(() => supervisor.status()[0].restarts === 1 && supervisor.status()[0].state === "up");
      const [status] = supervisor.status();
      expect(status.answer).to.deep.equal({ ok: true, starts: 2 });
      expect(events.join("\n")).to.match(/flaky exited \(3\); restarting in 1 s/);
      const pid = status.pid!;
      await supervisor.stopAll();
      expect(alive(pid)).to.equal(false);
      const log = readFileSync(status.log, "utf8");
      expect(log).to.contain("log line of start 1").and.to.contain("log line of start 2");
    });

    it("throws the child's own error when it answers ok: false, and keeps nothing running", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      const error = await rejection(
        supervisor.start({
          name: "refused",
          ...node(
            `console.log(JSON.stringify({ ok: false, error: { message: "port 1 is taken" } })); setInterval(() => {}, 1000);`,
          ),
        }),
      );
      expect(error).to.be.instanceOf(ChildStartError);
      expect(error.message).to.match(/refused did not start: port 1 is taken \(its log: .*refused\.log\)/);
      expect(supervisor.status()).to.deep.equal([]);
    });

    it("names a child that exits before it is ready", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      const error = await rejection(supervisor.start({ name: "crash", ...node("process.exit(7)") }));
      expect(error.message).to.match(/crash did not start: exited \(7\) before it was ready/);
    });

    it("takes a probe's answer as ready for children that print no JSON", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      let polls = 0;
      const answer = await supervisor.start({
        name: "quiet",
        ...node("setInterval(() => {}, 1000)"),
        probe: async () => (++polls >= 3 ? { ready: true, polls } : undefined),
      });
      expect(answer).to.deep.equal({ ready: true, polls: 3 });
      await supervisor.stopAll();
    });

    it("stops a child's whole process group, grandchildren included", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      const script = `
        const { spawn } = require("child_process");
        const grandchild = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        console.log(JSON.stringify({ ok: true, grandchild: grandchild.pid }));
        process.on("SIGTERM", () => process.exit(0));
        setInterval(() => {}, 1000);`;
      const answer = await supervisor.start({ name: "parent", ...node(script) });
      const grandchild = answer.grandchild as number;
      expect(alive(grandchild)).to.equal(true);
      await supervisor.stopAll();
      await until(() => !alive(grandchild));
    });

    it("runs a one-shot child to its end and returns its answer", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      const answer = await supervisor.runOnce({
        name: "deploy",
        ...node(`console.log(JSON.stringify({ ready: true, hub: "0xabc" }))`),
      });
      expect(answer).to.deep.equal({ ready: true, hub: "0xabc" });
      expect(supervisor.status()).to.deep.equal([]);
    });
  });

  describe("file host", function () {
    it("serves the folder's files by name and nothing else", async function () {
      const served = path.join(dir, "files");
      const host = await startFileHost(served, "127.0.0.1", 0);
      try {
        writeFileSync(path.join(served, "data.bin"), Buffer.from([1, 2, 3]));
        writeFileSync(path.join(dir, "secret.txt"), "outside");
        const ok = await fetch(`${host.url}/data.bin`);
        expect(ok.status).to.equal(200);
        expect([...new Uint8Array(await ok.arrayBuffer())]).to.deep.equal([1, 2, 3]);
        for (const probe of ["/missing.bin", "/..%2Fsecret.txt", "/%2E%2E/secret.txt", "/", "/.hidden"])
          expect((await fetch(`${host.url}${probe}`)).status, probe).to.equal(404);
        expect((await fetch(`${host.url}/data.bin`, { method: "POST" })).status).to.equal(404);
      } finally {
        await host.stop();
      }
    });
  });

  describe("services started by a supervisor", function () {
    it("notice its end (parentGone resolves once the parent pid is gone)", async function () {
      const parent = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      let gone = false;
      void parentGone({ OPENPOCO_PARENT_PID: String(parent.pid) }, 50).then(() => (gone = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(gone).to.equal(false);
      parent.kill("SIGKILL");
      await until(() => gone);
    });
  });
});

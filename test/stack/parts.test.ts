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
import { acquireLock, lockHolder, processStart, type LockHolder } from "../../src/stack/lock";
import { parentGone } from "../../src/stack/parent";
import { ChildStartError, Supervisor } from "../../src/stack/supervisor";
import { createServer } from "node:http";
import type { StackManifest } from "../../src/stack/layout";
import { offerState, workerStates } from "../../src/stack/status";
import { reachableTrust } from "../../src/stack/stack";
import { writePublisherState } from "../../src/publisher/state-file";
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

    it("cuts a last line without its newline even when it parses: it was never acknowledged", function () {
      const file = path.join(dir, "blocks.jsonl");
      const journal = ChainJournal.open(file);
      journal.append([block(1)]);
      journal.close();
      appendFileSync(file, JSON.stringify(block(2)));
      const reopened = ChainJournal.open(file);
      expect(reopened.head).to.equal(1);
      reopened.append([block(2, ["0x05"])]);
      reopened.close();
      expect(ChainJournal.open(file).blocks).to.deep.equal([block(1), block(2, ["0x05"])]);
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

    it("after a restart that fails, tries again with one child only, never two", async function () {
      const supervisor = new Supervisor(path.join(dir, "logs"));
      const counter = path.join(dir, "starts");
      const pids = path.join(dir, "pids");
      // Start 1: up, then dies. Start 2: refuses (ok: false) and would linger. Start 3: up for good.
      const script = `
        const fs = require("fs");
        fs.appendFileSync(${JSON.stringify(counter)}, "x");
        fs.appendFileSync(${JSON.stringify(pids)}, process.pid + "\\n");
        const starts = fs.readFileSync(${JSON.stringify(counter)}, "utf8").length;
        if (starts === 2) console.log(JSON.stringify({ ok: false, error: { message: "port taken" } }));
        else console.log(JSON.stringify({ ok: true, starts }));
        if (starts === 1) setTimeout(() => process.exit(1), 100);
        setInterval(() => {}, 1000);`;
      await supervisor.start({ name: "unlucky", ...node(script) });
      await until(() => supervisor.status()[0].answer?.starts === 3, 20_000);
      // Time for a doubled restart, had there been one, to show.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const started = readFileSync(pids, "utf8").trim().split("\n").map(Number);
      expect(started).to.have.length(3);
      expect(started.filter(alive)).to.deep.equal([supervisor.status()[0].pid]);
      await supervisor.stopAll();
      expect(started.filter(alive)).to.deep.equal([]);
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
        // A malformed escape is the client's error, and the host keeps serving.
        expect((await fetch(`${host.url}/%`)).status).to.equal(400);
        expect((await fetch(`${host.url}/data.bin`)).status).to.equal(200);
        expect((await fetch(`${host.url}/data.bin`, { method: "POST" })).status).to.equal(404);
      } finally {
        await host.stop();
      }
    });
  });

  describe("stack status details", function () {
    const workers = [
      "0x1111111111111111111111111111111111111111",
      "0x2222222222222222222222222222222222222222",
    ];
    const manifestAt = (schedulerUrl: string, offer?: StackManifest["offer"]) =>
      ({
        scheduler: { url: schedulerUrl },
        workers: workers.map((address) => ({ address })),
        offer,
      }) as StackManifest;

    it("lists each worker as the scheduler sees it: connected (busy, last seen), not seen, or unknown when it is down", async function () {
      const lastSeen = Date.UTC(2026, 0, 1);
      const server = createServer((request, response) => {
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify(
            request.url === "/status"
              ? {
                  ok: true,
                  workers: [
                    {
                      address: workers[0].toUpperCase().replace("0X", "0x"),
                      score: "2",
                      busy: 1,
                      lastSeen,
                      enclave: null,
                    },
                  ],
                }
              : { ok: false },
          ),
        );
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        expect(await workerStates(manifestAt(url))).to.deep.equal([
          {
            address: workers[0],
            state: "connected",
            busy: 1,
            score: "2",
            lastSeen: new Date(lastSeen).toISOString(),
          },
          { address: workers[1], state: "not seen" },
        ]);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
      expect((await workerStates(manifestAt(url))).map((w) => w.state)).to.deep.equal(["unknown", "unknown"]);
    });

    it("reads the standing offer's state file, and says none when the stack has no offer or it wrote nothing yet", async function () {
      const stateFile = path.join(dir, "offer", "offer-state.json");
      const offer = { stateFile, trust: "3", price: "0", volume: "100" };
      expect(offerState(manifestAt("http://127.0.0.1:1", offer))).to.equal(undefined);
      expect(offerState(manifestAt("http://127.0.0.1:1"))).to.equal(undefined);
      const state = {
        workerpool: workers[0],
        owner: workers[1],
        terms: { price: "0", volume: "100", trust: "3", tag: "0x" + "0".repeat(64), ordersPerCategory: 1 },
        categories: [{ category: "0", openOrders: 1, remaining: "99" }],
        published: 1,
        lastError: { at: "2026-01-01T00:00:00.000Z", message: "market down" },
      };
      await writePublisherState(stateFile, state);
      expect(offerState(manifestAt("http://127.0.0.1:1", offer))).to.deep.equal(state);
    });

    it("sells the trust the workers can reach: 2n - 1, at least 1", function () {
      expect([0, 1, 2, 3].map(reachableTrust)).to.deep.equal([1n, 1n, 3n, 5n]);
    });
  });

  describe("data folder lock", function () {
    it("lets one stack hold a folder, names the holder to the next, and is taken over once its holder died", async function () {
      const held = (holder: LockHolder) => new Error(`held by ${holder.pid}`);
      const release = acquireLock(dir, held);
      expect(lockHolder(dir)?.pid).to.equal(process.pid);
      expect(() => acquireLock(dir, held)).to.throw(`held by ${process.pid}`);
      release();
      expect(lockHolder(dir)).to.equal(undefined);

      // A lock left by a process that died (a killed stack) is stale.
      const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
      await until(() => processStart(other.pid!) !== undefined);
      writeFileSync(
        path.join(dir, "stack.lock"),
        JSON.stringify({ pid: other.pid, since: processStart(other.pid!) }),
      );
      expect(() => acquireLock(dir, held)).to.throw(`held by ${other.pid}`);
      other.kill("SIGKILL");
      await until(() => !alive(other.pid!));
      const mine = acquireLock(dir, held);
      expect(lockHolder(dir)?.pid).to.equal(process.pid);
      mine();
    });

    it("does not take a reused pid for the holder", function () {
      // This very process, but recorded with another start time: the stack that wrote it is gone.
      writeFileSync(path.join(dir, "stack.lock"), JSON.stringify({ pid: process.pid, since: "1" }));
      expect(lockHolder(dir)).to.equal(undefined);
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

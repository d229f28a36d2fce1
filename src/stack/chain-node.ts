/**
 * The stack's local chain: Hardhat's in-process network served over JSON-RPC, with every mined block
 * journaled (chain-journal.ts) before its answer leaves, and the journal replayed at start. On a fresh
 * journal the core contracts are deployed with the deploy scripts. Run by the stack as
 * `node -r ts-node/register/transpile-only -r hardhat/register src/stack/chain-node.ts` with:
 *   OPENPOCO_CHAIN_DIR   folder of the journal (required)
 *   OPENPOCO_CHAIN_HOST  interface to listen on (default 127.0.0.1)
 *   OPENPOCO_CHAIN_PORT  port (default 8545)
 * It prints one JSON line on stdout once it serves: { ready, url, chainId, hub, deployed, block, replayed }.
 * Run with `--network remote` (RPC_URL, see hardhat.config.ts) it only deploys on that node when the hub
 * is absent, prints { ready, chainId, hub, deployed } and exits.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import type { EIP1193Provider, HardhatNetworkConfig, RequestArguments } from "hardhat/types";
import { Transaction, type TransactionLike } from "ethers";
import type {} from "hardhat-deploy/dist/src/type-extensions";
import { writeFileAtomic } from "../sdk/node/files";
import { ChainJournal, type JournalBlock } from "./chain-journal";
import { parentGone } from "./parent";

/** Methods after which new blocks may exist. */
const MINING = new Set(["eth_sendRawTransaction", "eth_sendTransaction", "evm_mine", "hardhat_mine"]);

/** Methods that rewrite history or state outside blocks: a journal cannot replay them. */
const REFUSED = new Set([
  "evm_snapshot",
  "evm_revert",
  "hardhat_reset",
  "hardhat_setBalance",
  "hardhat_setCode",
  "hardhat_setNonce",
  "hardhat_setStorageAt",
  "hardhat_impersonateAccount",
  "hardhat_setCoinbase",
  "hardhat_setPrevRandao",
  "hardhat_setNextBlockBaseFeePerGas",
  "evm_setAutomine",
  "evm_setIntervalMining",
  "hardhat_dropTransaction",
  "evm_setBlockGasLimit",
]);

interface RpcTx {
  type: string;
  nonce: string;
  to: string | null;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  value: string;
  input: string;
  chainId?: string;
  accessList?: TransactionLike["accessList"];
  v: string;
  r: string;
  s: string;
  yParity?: string;
}

/** The signed, serialized form of a transaction as the node returns it. */
function serialize(tx: RpcTx): string {
  const type = Number(tx.type);
  const like: TransactionLike = {
    type,
    nonce: Number(tx.nonce),
    to: tx.to,
    gasLimit: BigInt(tx.gas),
    value: BigInt(tx.value),
    data: tx.input,
    signature: { r: tx.r, s: tx.s, v: Number(tx.yParity ?? tx.v) },
  };
  if (type !== 0 || tx.chainId !== undefined) like.chainId = BigInt(tx.chainId ?? 0);
  if (type === 0 || type === 1) like.gasPrice = BigInt(tx.gasPrice!);
  else {
    like.maxFeePerGas = BigInt(tx.maxFeePerGas!);
    like.maxPriorityFeePerGas = BigInt(tx.maxPriorityFeePerGas!);
  }
  if (type >= 1) like.accessList = tx.accessList ?? [];
  if (type === 0) like.signature = { r: tx.r, s: tx.s, v: Number(tx.v) };
  return Transaction.from(like).serialized;
}

/** Appends the blocks mined since the journal's head. */
async function journalNewBlocks(inner: EIP1193Provider, journal: ChainJournal): Promise<void> {
  const head = Number(await inner.request({ method: "eth_blockNumber" }));
  const blocks: JournalBlock[] = [];
  for (let n = journal.head + 1; n <= head; n++) {
    const block = (await inner.request({
      method: "eth_getBlockByNumber",
      params: ["0x" + n.toString(16), true],
    })) as { hash: string; timestamp: string; transactions: RpcTx[] };
    blocks.push({ n, t: Number(block.timestamp), txs: block.transactions.map(serialize), h: block.hash });
  }
  journal.append(blocks);
}

/**
 * The provider served to clients: refuses what a journal cannot replay, and lets no HTTP answer reveal
 * a block before it is on disk. A request that may mine holds the gate from before it is forwarded
 * until its blocks are journaled; every other request waits for the gate to open. A journal that
 * cannot be written stops the chain at once (fail-stop): the supervisor restarts it from the disk,
 * which never diverges from what clients were told.
 */
function journaledProvider(inner: EIP1193Provider, journal: ChainJournal): EIP1193Provider {
  let gate: Promise<void> = Promise.resolve();
  const mining = async (args: RequestArguments) => {
    const previous = gate;
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    await previous;
    try {
      return await inner.request(args);
    } finally {
      try {
        await journalNewBlocks(inner, journal);
      } catch (error) {
        console.error(`the chain's journal cannot be written, stopping: ${(error as Error).message}`);
        process.exit(1);
      }
      open();
    }
  };
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property !== "request") return Reflect.get(target, property, receiver);
      return async (args: RequestArguments) => {
        if (REFUSED.has(args.method))
          throw Object.assign(new Error(`${args.method} is not available on the stack's journaled chain`), {
            code: -32601,
          });
        if (MINING.has(args.method)) return mining(args);
        await gate;
        return target.request(args);
      };
    },
  });
}

/** Mines the journal's blocks again, each at its timestamp with its transactions. */
async function replay(provider: EIP1193Provider, journal: ChainJournal): Promise<void> {
  if (journal.blocks.length === 0) return;
  await provider.request({ method: "evm_setAutomine", params: [false] });
  for (const block of journal.blocks) {
    await provider.request({ method: "evm_setNextBlockTimestamp", params: [block.t] });
    for (const tx of block.txs) await provider.request({ method: "eth_sendRawTransaction", params: [tx] });
    await provider.request({ method: "evm_mine", params: [] });
    const mined = (await provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
      number: string;
      hash: string;
    };
    if (Number(mined.number) !== block.n)
      throw new Error(`replaying block ${block.n} mined block ${Number(mined.number)}`);
    if (block.h !== undefined && mined.hash !== block.h)
      throw new Error(
        `replayed block ${block.n} has hash ${mined.hash}, the journal says ${block.h}: the chain's settings or ` +
          "Hardhat's version changed since it was written. Start afresh with `rm -rf` of the stack's data folder.",
      );
  }
  await provider.request({ method: "evm_setAutomine", params: [true] });
}

/** Addresses of the core deployment, as the stack needs them. */
interface Deployment {
  hub: string;
}

/** Deploys the core contracts with the deploy scripts unless `file` names a hub that has code. */
async function deployIfAbsent(
  file: string,
  writeFiles: boolean,
): Promise<Deployment & { deployed: boolean }> {
  if (existsSync(file)) {
    const known = JSON.parse(readFileSync(file, "utf8")) as Deployment;
    const code = (await hre.network.provider.request({
      method: "eth_getCode",
      params: [known.hub, "latest"],
    })) as string;
    if (code !== "0x") return { ...known, deployed: false };
  }
  await hre.deployments.run("core", { resetMemory: false, writeDeploymentsToFiles: writeFiles });
  const deployment: Deployment = { hub: (await hre.deployments.get("Hub")).address };
  await writeFileAtomic(file, JSON.stringify(deployment, null, 2) + "\n");
  return { ...deployment, deployed: true };
}

/** Attached to another node (`--network remote`): deploy there if needed, say where the hub is, exit. */
async function deployOnly(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const chainId = Number(await hre.network.provider.request({ method: "eth_chainId" }));
  const deployment = await deployIfAbsent(path.join(dir, `deployment-${chainId}.json`), false);
  process.stdout.write(JSON.stringify({ ready: true, chainId, ...deployment }) + "\n");
}

async function main(): Promise<void> {
  const dir = process.env.OPENPOCO_CHAIN_DIR;
  if (!dir) throw new Error("OPENPOCO_CHAIN_DIR must name the chain's folder");
  // The supervisor gone (killed), this chain stops wherever it is, replay and deploy included: every
  // block is on disk already, and a second stack may soon want this journal.
  void parentGone().then(() => process.exit(0));
  if (hre.network.name !== "hardhat") return deployOnly(dir);
  const host = process.env.OPENPOCO_CHAIN_HOST ?? "127.0.0.1";
  const port = Number(process.env.OPENPOCO_CHAIN_PORT ?? 8545);
  // The genesis block's time is part of every block hash: a replayed chain must start at the same one.
  // Set before the first request, when Hardhat creates the network.
  mkdirSync(dir, { recursive: true });
  const genesisFile = path.join(dir, "genesis.json");
  const genesis = existsSync(genesisFile)
    ? (JSON.parse(readFileSync(genesisFile, "utf8")) as { initialDate: string })
    : { initialDate: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString() };
  (hre.network.config as HardhatNetworkConfig).initialDate = genesis.initialDate;
  const provider = hre.network.provider;
  if (!existsSync(genesisFile)) await writeFileAtomic(genesisFile, JSON.stringify(genesis) + "\n");
  const journal = ChainJournal.open(path.join(dir, "blocks.jsonl"));
  const replayed = journal.blocks.length;
  await replay(provider, journal);
  const deployment = await deployIfAbsent(path.join(dir, "deployment.json"), false);
  await journalNewBlocks(provider, journal);
  const served = journaledProvider(provider, journal);
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: host, port, provider: served })) as {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  const listening = await server.listen();
  const block = Number(await provider.request({ method: "eth_blockNumber" }));
  process.stdout.write(
    JSON.stringify({
      ready: true,
      url: `http://${host}:${listening.port}`,
      chainId: Number(await provider.request({ method: "eth_chainId" })),
      block,
      replayed,
      ...deployment,
    }) + "\n",
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  // Every block is already on disk; open keep-alive connections must not hold the exit.
  await Promise.race([server.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  journal.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

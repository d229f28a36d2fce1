/**
 * `ipfs start`: the IPFS content store as a service (kubo's RPC subset and a path gateway on one port),
 * what the stack runs as its `ipfs` part. Point workers and the CLI at it, or at any kubo, with
 * chain.json's `ipfsNode` and `ipfsGateway`.
 */
import path from "node:path";
import type { Command } from "commander";
import { DEFAULT_IPFS_PORT, DEFAULT_MAX_ADD_BYTES, startIpfsNode } from "../../ipfs/server";
import { InvalidInputError } from "../../sdk/core/errors";
import { action } from "../action";
import { positiveInt, serveUntilSignal, serviceLogger } from "../service";
import type { Session } from "../session";

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** Bytes of a size option: `1073741824`, `512MiB`, `1GiB`, `100MB`. */
export function parseByteSize(name: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new InvalidInputError(
      `--${name} must be a size such as 1073741824, 512MiB or 1GiB, got ${JSON.stringify(text)}.`,
    );
  return bytes;
}

interface StartOptions {
  host: string;
  port: string;
  dataDir: string;
  maxAddSize: string;
}

async function start(session: Session, options: StartOptions): Promise<void> {
  const dataDir = path.resolve(options.dataDir);
  const maxAddBytes = parseByteSize("max-add-size", options.maxAddSize);
  const node = await session.out.step(
    "Starting the IPFS node",
    startIpfsNode({
      dataDir,
      host: options.host,
      port: positiveInt("port", options.port, true),
      maxAddBytes,
      logger: serviceLogger("ipfs", !!session.options.quiet, !!session.options.debug),
    }),
  );
  await serveUntilSignal(
    session.out,
    `IPFS node listening at ${node.url} (RPC ${node.url}/api/v0, gateway ${node.url}/ipfs/), Ctrl-C to stop`,
    { url: node.url, dataDir, maxAddBytes },
    () => node.close(),
  );
}

/** Registers `ipfs`. */
export function registerIpfs(program: Command): void {
  const ipfs = program.command("ipfs").description("the IPFS content store");
  ipfs
    .command("start")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option(
      "--port <port>",
      "port of the RPC API and the gateway (0: any free port)",
      String(DEFAULT_IPFS_PORT),
    )
    .option("--data-dir <dir>", "folder of the blocks and pins", path.join("data", "ipfs"))
    .option(
      "--max-add-size <size>",
      "largest file an add accepts (bytes, or 512MiB, 1GiB...)",
      String(DEFAULT_MAX_ADD_BYTES),
    )
    .description(
      "serve an IPFS node: kubo's add/cat/pin RPC and a path gateway, blocks verified on every read",
    )
    .action(action(start));
}

/** How a process that runs an IPFS node is started: its own file, so the stack reads it without loading the node. */

/**
 * Node.js flags for a process that runs an IPFS node (the stack starts its `ipfs` part with them). Every
 * block that streams through leaves a 64–256 KiB buffer behind, freed only when the young generation
 * is collected: with V8's default 16 MB semi-space, tens of MB of them wait for a collection. A 1 MB
 * semi-space collects every few blocks, and keeps the peak RSS of a 1 GiB add and cat near 110 MB
 * instead of 130–180 MB (bench/ipfs.ts), for a few percent of CPU.
 */
export const IPFS_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=1"];

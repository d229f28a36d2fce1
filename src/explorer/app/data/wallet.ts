/**
 * An injected browser wallet (EIP-1193, `window.ethereum`), for the few actions the explorer offers:
 * cancelling one's own orders and claiming tasks past their final deadline. The wallet signs and sends;
 * the SDK client built on it reads through the configured node like the rest of the explorer.
 */
import { BrowserProvider, type Eip1193Provider } from "ethers";
import { OpenPoco } from "../../../sdk/core/index";
import type { ExplorerConfig } from "../config";

declare global {
  interface Window {
    ethereum?: Eip1193Provider & {
      on?(event: string, listener: (...args: unknown[]) => void): void;
      removeListener?(event: string, listener: (...args: unknown[]) => void): void;
    };
  }
}

/** A connected wallet. */
export interface ConnectedWallet {
  address: string;
  poco: OpenPoco;
}

/** Asks the injected wallet for an account on the configured chain, and builds an SDK client on it. */
export async function connectWallet(config: ExplorerConfig): Promise<ConnectedWallet> {
  const injected = window.ethereum;
  if (!injected)
    throw new Error(
      "No browser wallet found (EIP-1193 window.ethereum): install one to cancel orders or claim tasks.",
    );
  await injected.request({ method: "eth_requestAccounts" });
  const wanted = BigInt(config.chainId);
  const current = BigInt((await injected.request({ method: "eth_chainId" })) as string);
  if (current !== wanted) {
    try {
      await injected.request({
        method: "wallet_switchEthereumChain",
        params: [{ chainId: "0x" + wanted.toString(16) }],
      });
    } catch {
      throw new Error(`Your wallet is on chain ${current}: switch it to chain ${wanted} (${config.name}).`);
    }
  }
  const signer = await new BrowserProvider(injected).getSigner();
  const poco = await OpenPoco.connect({
    chain: { name: config.name, host: config.rpcUrl, id: wanted, hub: config.hub },
    signer,
    pollingIntervalMs: 1000,
  });
  return { address: await signer.getAddress(), poco };
}

/** The wallet as app state: connect once, share with every page, forget it when the account changes. */
import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useState } from "preact/hooks";
import { connectWallet, type ConnectedWallet } from "./data/wallet";
import { describeError } from "./data/errors";
import { useServices } from "./services";

export interface WalletState {
  wallet?: ConnectedWallet;
  error?: string;
  connecting: boolean;
  /** Connects (once); resolves to the wallet, or undefined when the user could not connect. */
  connect(): Promise<ConnectedWallet | undefined>;
}

const WalletContext = createContext<WalletState | undefined>(undefined);

export function WalletProvider({ children }: { children: ComponentChildren }) {
  const { config } = useServices();
  const [wallet, setWallet] = useState<ConnectedWallet>();
  const [error, setError] = useState<string>();
  const [connecting, setConnecting] = useState(false);
  useEffect(() => {
    // A wallet whose account or chain changed is dropped, and its client's provider stops polling.
    const forget = () =>
      setWallet((old) => {
        old?.poco.close();
        return undefined;
      });
    window.ethereum?.on?.("accountsChanged", forget);
    window.ethereum?.on?.("chainChanged", forget);
    return () => {
      window.ethereum?.removeListener?.("accountsChanged", forget);
      window.ethereum?.removeListener?.("chainChanged", forget);
    };
  }, []);
  const state: WalletState = {
    wallet,
    error,
    connecting,
    async connect() {
      if (wallet) return wallet;
      setConnecting(true);
      setError(undefined);
      try {
        const connected = await connectWallet(config);
        setWallet(connected);
        return connected;
      } catch (e) {
        setError(describeError(e));
        return undefined;
      } finally {
        setConnecting(false);
      }
    },
  };
  return <WalletContext.Provider value={state}>{children}</WalletContext.Provider>;
}

export function useWallet(): WalletState {
  const state = useContext(WalletContext);
  if (!state) throw new Error("useWallet outside of <WalletProvider>");
  return state;
}

/** The explorer's readers, shared by every page through a context. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ExplorerConfig } from "./config";
import { ChainReader } from "./data/chain";
import { MarketReader } from "./data/market";
import { WorkerpoolReader } from "./data/workerpool";

/** What pages read from. */
export interface Services {
  config: ExplorerConfig;
  chain: ChainReader;
  market: MarketReader;
  /** Workerpool APIs (through Compass), for task diagnoses. */
  workerpools: WorkerpoolReader;
}

/** Readers for `config`. */
export function createServices(config: ExplorerConfig): Services {
  const chain = new ChainReader(config);
  // Connect at once, while the first page asks the market for its lists.
  chain.poco().catch(() => undefined);
  return { config, chain, market: new MarketReader(config), workerpools: new WorkerpoolReader(config) };
}

export const ServicesContext = createContext<Services | undefined>(undefined);

/** The readers of the app. */
export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("useServices outside of <ServicesContext.Provider>");
  return services;
}

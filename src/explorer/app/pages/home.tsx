/** The home page: the chain and market at a glance, and the latest deals. */
import type { ComponentChildren } from "preact";
import { Fields, Mono } from "../components/bits";
import { DealList } from "../components/lists";
import { ErrorBox, Loading } from "../components/status";
import { useLoad } from "../hooks";
import { useServices } from "../services";

function ChainSummary() {
  const { chain, config } = useServices();
  const loaded = useLoad(async (report) => {
    report(`Connecting to the chain at ${config.rpcUrl}…`);
    const [block, categories] = await Promise.all([chain.blockNumber(), chain.categories(0, 0)]);
    return { block, categories: categories.count };
  }, []);
  const rows: [string, ComponentChildren][] = [
    ["chain", `${config.name} (id ${config.chainId})`],
    ["node", <Mono>{config.rpcUrl}</Mono>],
    ["hub", <Mono>{config.hub}</Mono>],
    ["market", config.marketUrl ? <Mono>{config.marketUrl}</Mono> : "none configured"],
  ];
  if (loaded.state === "done")
    rows.push(
      ["latest block", String(loaded.value.block)],
      ["categories", <a href="#/categories">{loaded.value.categories}</a>],
    );
  return (
    <section>
      <Fields rows={rows} />
      {loaded.state === "loading" && <Loading text={loaded.text} />}
      {loaded.state === "error" && <ErrorBox error={loaded.error} title="Chain" />}
    </section>
  );
}

export function HomePage({ page }: { page: number }) {
  return (
    <>
      <h1>Marketplace</h1>
      <ChainSummary />
      <h2>Latest deals</h2>
      <DealList filters={{}} page={page} base="#/" />
    </>
  );
}

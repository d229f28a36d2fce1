/** An app, dataset or workerpool: its fields, its published orders and its deals. */
import type { ComponentChildren } from "preact";
import { Addr, Fields, Mono, pageOf } from "../components/bits";
import { DealList, OrderList } from "../components/lists";
import { Show } from "../components/status";
import type { AssetKind } from "../data/chain";
import { useLoad } from "../hooks";
import { href } from "../router";
import { useServices } from "../services";

const TITLES: Record<AssetKind, string> = { app: "App", dataset: "Dataset", workerpool: "Workerpool" };

export function AssetPage({
  kind,
  address,
  query,
}: {
  kind: AssetKind;
  address: string;
  query: Record<string, string>;
}) {
  const { chain } = useServices();
  const loaded = useLoad(
    async (report): Promise<[string, ComponentChildren][]> => {
      report(`Reading the ${kind} from the chain…`, 0.3);
      if (kind === "app") {
        const app = await chain.app(address);
        return [
          ["name", <span data-field="name">{app.name}</span>],
          ["owner", <Addr address={app.owner} full />],
          ["type", app.type],
          ["multiaddr", <Mono>{app.multiaddr}</Mono>],
          ["checksum", <Mono>{app.checksum}</Mono>],
          ["mrenclave", app.mrenclave ? <Mono>{app.mrenclave}</Mono> : "—"],
        ];
      }
      if (kind === "dataset") {
        const dataset = await chain.dataset(address);
        return [
          ["name", <span data-field="name">{dataset.name}</span>],
          ["owner", <Addr address={dataset.owner} full />],
          ["multiaddr", <Mono>{dataset.multiaddr}</Mono>],
          ["checksum", <Mono>{dataset.checksum}</Mono>],
        ];
      }
      const pool = await chain.workerpool(address);
      return [
        ["description", <span data-field="name">{pool.description}</span>],
        ["owner", <Addr address={pool.owner} full />],
        ["worker stake ratio", `${pool.workerStakeRatioPolicy}%`],
        ["scheduler reward ratio", `${pool.schedulerRewardRatioPolicy}%`],
      ];
    },
    [kind, address],
  );
  const base = href(kind, address);
  const filter = { [kind]: address };
  return (
    <>
      <h1>{TITLES[kind]}</h1>
      <p class="mono wrap" data-testid="address">
        {address}
      </p>
      <Show loaded={loaded} title={TITLES[kind]} render={(rows) => <Fields rows={rows} />} />
      <h2>Orders published</h2>
      <OrderList
        kind={kind}
        filters={filter}
        page={pageOf(query.orders)}
        base={base}
        query={query}
        param="orders"
      />
      <h2>Deals</h2>
      <DealList filters={filter} page={pageOf(query.deals)} base={base} query={query} param="deals" />
    </>
  );
}

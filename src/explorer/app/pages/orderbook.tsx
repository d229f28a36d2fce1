/** The orderbooks: workerpool and request orders for everyone, app and dataset orders by asset or owner. */
import { useState } from "preact/hooks";
import type { OrderKind, OrderbookFilters } from "../../../sdk/core/index";
import { pageOf } from "../components/bits";
import { OrderList } from "../components/lists";
import { Empty } from "../components/status";
import { href, navigate, withQuery } from "../router";

const KINDS: OrderKind[] = ["workerpool", "request", "app", "dataset"];
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function OrderbookPage({ kind, query }: { kind: OrderKind; query: Record<string, string> }) {
  const [address, setAddress] = useState(query.address ?? "");
  const [byOwner, setByOwner] = useState(query.owner === "1");
  const needsAsset = kind === "app" || kind === "dataset";
  const filters: OrderbookFilters = {};
  const given = query.address && ADDRESS.test(query.address) ? query.address : undefined;
  if (given) {
    if (query.owner === "1")
      filters[
        kind === "app"
          ? "appOwner"
          : kind === "dataset"
            ? "datasetOwner"
            : kind === "workerpool"
              ? "workerpoolOwner"
              : "requester"
      ] = given;
    else filters[kind === "request" ? "requester" : kind] = given;
  }
  const base = href("orderbook", kind);
  return (
    <>
      <h1>Orderbook</h1>
      <nav class="tabs" aria-label="orderbooks">
        {KINDS.map((k) => (
          <a
            key={k}
            href={href("orderbook", k)}
            class={k === kind ? "active" : ""}
            aria-current={k === kind ? "page" : undefined}
          >
            {k} orders
          </a>
        ))}
      </nav>
      <form
        class="filter"
        onSubmit={(event) => {
          event.preventDefault();
          navigate(
            withQuery(base, {
              address: address.trim(),
              owner: byOwner && kind !== "request" ? 1 : undefined,
            }),
          );
        }}
      >
        <label>
          {kind === "request" ? "requester" : kind} address{needsAsset ? "" : " (optional)"}
          <input
            name="address"
            value={address}
            placeholder="0x…"
            onInput={(event) => setAddress((event.target as HTMLInputElement).value)}
          />
        </label>
        {kind !== "request" && (
          <label class="inline">
            <input
              type="checkbox"
              name="owner"
              checked={byOwner}
              onChange={(event) => setByOwner((event.target as HTMLInputElement).checked)}
            />
            an owner's address
          </label>
        )}
        <button type="submit">Filter</button>
      </form>
      {needsAsset && !given ? (
        <Empty>
          The {kind} orderbook is listed per {kind}: enter its address.
        </Empty>
      ) : (
        <OrderList
          kind={kind}
          filters={filters}
          page={pageOf(query.page)}
          base={base}
          query={{ address: given, owner: query.owner }}
        />
      )}
    </>
  );
}

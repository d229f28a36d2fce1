/** Paged lists shared by several pages: deals and published orders from the market. */
import { assetOf, categoryTrustOf, priceOf, toJson } from "../../../sdk/core/index";
import type {
  DealFilters,
  MarketDeal,
  OrderKind,
  OrderbookFilters,
  PublishedOrder,
} from "../../../sdk/core/index";
import { PAGE_SIZE } from "../data/market";
import { date, rlc, short, tagLabel, when } from "../format";
import { useLoad } from "../hooks";
import { useServices } from "../services";
import { Addr, IdLink, Pager, Table } from "./bits";
import { Empty, Show } from "./status";
import { ActionButton } from "./action";
import { useWallet } from "../wallet";

function dealPrice(deal: MarketDeal): bigint {
  return deal.app.price + deal.dataset.price + deal.workerpool.price;
}

/** A table of deals. */
export function DealsTable({ deals }: { deals: MarketDeal[] }) {
  return (
    <Table
      head={[
        "deal",
        "app",
        "workerpool",
        "requester",
        "price / task",
        "volume",
        "category",
        "matched (chain time)",
      ]}
    >
      {deals.map((deal) => (
        <tr key={deal.dealid}>
          <td>
            <IdLink id={deal.dealid} kind="deal" />
          </td>
          <td>
            <Addr address={deal.app.pointer} kind="app" />
          </td>
          <td>
            <Addr address={deal.workerpool.pointer} kind="workerpool" />
          </td>
          <td>
            <Addr address={deal.requester} />
          </td>
          <td class="num">{rlc(dealPrice(deal))}</td>
          <td class="num">{deal.botSize.toString()}</td>
          <td class="num">
            <a href={`#/categories`}>{deal.category.toString()}</a>
          </td>
          <td>{deal.blockTimestamp ? when(deal.blockTimestamp) : date(deal.startTime)}</td>
        </tr>
      ))}
    </Table>
  );
}

/** Deals of the market matching `filters`, paged through the route's `param` query value. */
export function DealList({
  filters,
  page,
  base,
  query,
  param = "page",
}: {
  filters: DealFilters;
  page: number;
  base: string;
  query?: Record<string, string | undefined>;
  param?: string;
}) {
  const { market } = useServices();
  const loaded = useLoad(
    async (report) => {
      report(`Loading deals, page ${page + 1}…`);
      return market.deals(filters, page);
    },
    [toJson(filters), page],
  );
  return (
    <Show
      loaded={loaded}
      title="Deals"
      render={({ items, count }) =>
        count === 0 ? (
          <Empty>No deals.</Empty>
        ) : (
          <>
            <DealsTable deals={items} />
            <Pager base={base} query={query} page={page} count={count} size={PAGE_SIZE} param={param} />
          </>
        )
      }
    />
  );
}

/** The asset an order is about and how to link to it: a request order links to its requester's account. */
function assetLink(kind: OrderKind, order: PublishedOrder<OrderKind>): { address: string; kind: string } {
  return { address: assetOf(kind, order.order), kind: kind === "request" ? "account" : kind };
}

/** A table of published orders. */
export function OrdersTable({
  kind,
  orders,
  onChange,
}: {
  kind: OrderKind;
  orders: PublishedOrder<OrderKind>[];
  onChange?: () => void;
}) {
  const { wallet } = useWallet();
  const mine = (order: PublishedOrder<OrderKind>) =>
    wallet !== undefined &&
    order.signer.toLowerCase() === wallet.address.toLowerCase() &&
    order.status === "open";
  const head = [
    "order",
    "asset",
    "price",
    "remaining / volume",
    "category / trust",
    "tag",
    "signer",
    "status",
    "published (market time)",
  ];
  return (
    <Table head={wallet ? [...head, "action"] : head}>
      {orders.map((order) => {
        const asset = assetLink(kind, order);
        const terms = categoryTrustOf(kind, order.order);
        return (
          <tr key={order.orderHash}>
            <td class="mono" title={order.orderHash}>
              {short(order.orderHash, 8)}
            </td>
            <td>
              <Addr address={asset.address} kind={asset.kind} />
            </td>
            <td class="num">{rlc(priceOf(kind, order.order))}</td>
            <td class="num">
              {order.remaining.toString()} / {order.order.volume.toString()}
            </td>
            <td class="num">{terms ? `${terms.category} / ${terms.trust}` : "—"}</td>
            <td data-field="tag" title={order.order.tag}>
              {tagLabel(order.order.tag)}
            </td>
            <td>
              <Addr address={order.signer} />
            </td>
            <td>{order.status}</td>
            <td data-field="published" title={order.publicationTimestamp}>
              {when(order.publicationTimestamp)}
            </td>
            {wallet && (
              <td>
                {mine(order) && (
                  <ActionButton
                    label="Cancel"
                    send={(connected) => connected.poco.orders.cancel(kind, order.order)}
                    onDone={onChange}
                  />
                )}
              </td>
            )}
          </tr>
        );
      })}
    </Table>
  );
}

/** The `kind` orderbook matching `filters`, paged through the route's `param` query value. */
export function OrderList({
  kind,
  filters,
  page,
  base,
  query,
  param = "page",
}: {
  kind: OrderKind;
  filters: OrderbookFilters;
  page: number;
  base: string;
  query?: Record<string, string | undefined>;
  param?: string;
}) {
  const { market } = useServices();
  const loaded = useLoad(
    async (report) => {
      report(`Loading ${kind} orders, page ${page + 1}…`);
      return market.orderbook(kind, filters, page);
    },
    [kind, toJson(filters), page],
  );
  return (
    <Show
      loaded={loaded}
      title={`${kind} orders`}
      render={({ orders, count }) =>
        count === 0 ? (
          <Empty>No open {kind} orders.</Empty>
        ) : (
          <>
            <OrdersTable kind={kind} orders={orders as PublishedOrder<OrderKind>[]} />
            <Pager base={base} query={query} page={page} count={count} size={PAGE_SIZE} param={param} />
          </>
        )
      }
    />
  );
}

/** An account: its escrow (stake, locked), wallet, assets, deals as requester and request orders. */
import { Addr, Fields, Pager, Table, pageOf } from "../components/bits";
import { DealList, OrderList } from "../components/lists";
import { Show } from "../components/status";
import type { AssetKind } from "../data/chain";
import { rlc } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { useServices } from "../services";

const ASSETS_PER_PAGE = 10;

function Assets({
  owner,
  kind,
  page,
  query,
}: {
  owner: string;
  kind: AssetKind;
  page: number;
  query: Record<string, string>;
}) {
  const { chain } = useServices();
  const loaded = useLoad(
    async (report) => {
      report(`Reading the ${kind}s of the account…`);
      return chain.ownedAssets(kind, owner, page, ASSETS_PER_PAGE);
    },
    [owner, kind, page],
  );
  return (
    <Show
      loaded={loaded}
      title={`${kind}s`}
      render={({ count, addresses }) => (
        <>
          <h3>
            {kind}s ({count})
          </h3>
          {count > 0 && (
            <>
              <Table head={[kind]}>
                {addresses.map((address) => (
                  <tr key={address}>
                    <td>
                      <Addr address={address} kind={kind} full />
                    </td>
                  </tr>
                ))}
              </Table>
              <Pager
                base={href("account", owner)}
                query={query}
                page={page}
                count={count}
                size={ASSETS_PER_PAGE}
                param={kind}
              />
            </>
          )}
        </>
      )}
    />
  );
}

export function AccountPage({ address, query }: { address: string; query: Record<string, string> }) {
  const { chain } = useServices();
  const loaded = useLoad(
    async (report) => {
      report("Reading the account's balances…", 0.3);
      return chain.account(address);
    },
    [address],
  );
  const base = href("account", address);
  return (
    <>
      <h1>Account</h1>
      <p class="mono wrap" data-testid="address">
        {address}
      </p>
      <Show
        loaded={loaded}
        title="Account"
        render={(balances) => (
          <Fields
            rows={[
              ["stake (free)", <span data-field="stake">{rlc(balances.stake)}</span>],
              ["locked", <span data-field="locked">{rlc(balances.locked)}</span>],
              ["wallet", rlc(balances.wallet)],
              ["ether", `${Number(balances.ether) / 1e18} ETH`],
            ]}
          />
        )}
      />
      <h2>Assets</h2>
      {(["app", "dataset", "workerpool"] as AssetKind[]).map((kind) => (
        <Assets key={kind} owner={address} kind={kind} page={pageOf(query[kind])} query={query} />
      ))}
      <h2>Deals as requester</h2>
      <DealList
        filters={{ requester: address }}
        page={pageOf(query.deals)}
        base={base}
        query={query}
        param="deals"
      />
      <h2>Request orders</h2>
      <OrderList
        kind="request"
        filters={{ requester: address }}
        page={pageOf(query.orders)}
        base={base}
        query={query}
        param="orders"
      />
    </>
  );
}

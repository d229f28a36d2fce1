/** The explorer: the route decides the page. */
import type { OrderKind } from "../../sdk/core/index";
import { pageOf } from "./components/bits";
import { Layout } from "./components/layout";
import { AccountPage } from "./pages/account";
import { AssetPage } from "./pages/asset";
import { CategoriesPage } from "./pages/categories";
import { DealPage } from "./pages/deal";
import { DealsPage } from "./pages/deals";
import { HomePage } from "./pages/home";
import { OrderbookPage } from "./pages/orderbook";
import { SearchPage } from "./pages/search";
import { TaskPage } from "./pages/task";
import { useRoute, type Route } from "./router";
import { WalletProvider } from "./wallet";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ORDER_KINDS = ["app", "dataset", "workerpool", "request"];

function NotFound({ what }: { what: string }) {
  return (
    <>
      <h1>Not found</h1>
      <p class="error" role="alert">
        {what}
      </p>
      <p>
        <a href="#/">Back to the marketplace</a>
      </p>
    </>
  );
}

function Page({ route }: { route: Route }) {
  const [name, arg] = route.path;
  const { query } = route;
  switch (name) {
    case undefined:
      return <HomePage page={pageOf(query.page)} />;
    case "deals":
      return <DealsPage page={pageOf(query.page)} />;
    case "deal":
      return BYTES32.test(arg ?? "") ? (
        <DealPage key={arg} dealid={arg.toLowerCase()} page={pageOf(query.page)} />
      ) : (
        <NotFound what={`"${arg}" is not a deal id (0x + 64 hex digits).`} />
      );
    case "task":
      return BYTES32.test(arg ?? "") ? (
        <TaskPage key={arg} taskid={arg.toLowerCase()} />
      ) : (
        <NotFound what={`"${arg}" is not a task id (0x + 64 hex digits).`} />
      );
    case "app":
    case "dataset":
    case "workerpool":
      return ADDRESS.test(arg ?? "") ? (
        <AssetPage key={`${name}/${arg}`} kind={name} address={arg} query={query} />
      ) : (
        <NotFound what={`"${arg}" is not an address.`} />
      );
    case "account":
      return ADDRESS.test(arg ?? "") ? (
        <AccountPage key={arg} address={arg} query={query} />
      ) : (
        <NotFound what={`"${arg}" is not an address.`} />
      );
    case "orderbook":
      return (
        <OrderbookPage
          key={arg}
          kind={(ORDER_KINDS.includes(arg ?? "") ? arg : "workerpool") as OrderKind}
          query={query}
        />
      );
    case "categories":
      return <CategoriesPage page={pageOf(query.page)} />;
    case "search":
      return <SearchPage text={arg ?? ""} />;
    default:
      return <NotFound what={`There is no page "${route.path.join("/")}".`} />;
  }
}

export function App() {
  const route = useRoute();
  return (
    <WalletProvider>
      <Layout>
        <Page route={route} />
      </Layout>
    </WalletProvider>
  );
}

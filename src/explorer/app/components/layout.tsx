/** The frame of every page: header with navigation and search, the services' health, the footer. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { describeError } from "../data/errors";
import { useLoad } from "../hooks";
import { href, navigate } from "../router";
import { useServices } from "../services";
import { useWallet } from "../wallet";
import { short } from "../format";

function SearchBox() {
  const [text, setText] = useState("");
  return (
    <form
      class="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        if (!text.trim()) return;
        navigate(href("search", text.trim()));
        setText("");
      }}
    >
      <input
        type="search"
        name="q"
        aria-label="Search by address, deal id or task id"
        placeholder="Address, deal id or task id"
        value={text}
        onInput={(event) => setText((event.target as HTMLInputElement).value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}

/** Says at once, on every page, when the chain or the market does not answer. */
function Health() {
  const { chain, market, config } = useServices();
  const loaded = useLoad(async () => {
    const [chainError, marketError] = await Promise.all([
      chain.blockNumber().then(
        () => undefined,
        (error: unknown) => error,
      ),
      config.marketUrl
        ? market.version().then(
            () => undefined,
            (error: unknown) => error,
          )
        : Promise.resolve(undefined),
    ]);
    return { chainError, marketError };
  }, []);
  if (loaded.state !== "done") return null;
  const { chainError, marketError } = loaded.value;
  if (!chainError && !marketError) return null;
  return (
    <div class="health" role="alert" data-testid="health">
      {chainError !== undefined && <p>{describeError(chainError)}</p>}
      {marketError !== undefined && <p>{describeError(marketError)}</p>}
    </div>
  );
}

function WalletButton() {
  const { wallet, connecting, connect } = useWallet();
  if (wallet)
    return (
      <a
        class="wallet mono"
        href={href("account", wallet.address)}
        title={wallet.address}
        data-testid="wallet"
      >
        {short(wallet.address, 4)}
      </a>
    );
  return (
    <button type="button" class="wallet" disabled={connecting} onClick={() => void connect()}>
      {connecting ? "Connecting…" : "Connect wallet"}
    </button>
  );
}

function WalletError() {
  const { error } = useWallet();
  return error ? (
    <div class="health" role="alert">
      <p>{error}</p>
    </div>
  ) : null;
}

export function Layout({ children }: { children: ComponentChildren }) {
  const { config } = useServices();
  return (
    <>
      <header>
        <a class="brand" href="#/">
          OpenPoCo Explorer
        </a>
        <nav class="main-nav">
          <a href="#/deals">Deals</a>
          <a href="#/orderbook/workerpool">Orderbook</a>
          <a href="#/categories">Categories</a>
        </nav>
        <SearchBox />
        <WalletButton />
      </header>
      <Health />
      <WalletError />
      <main>{children}</main>
      <footer class="muted">
        {config.name} · chain {config.chainId} · hub <span class="mono">{config.hub}</span>
      </footer>
    </>
  );
}

/** A button sending one transaction through the connected wallet (connecting it first when needed). */
import { useState } from "preact/hooks";
import type { ConnectedWallet } from "../data/wallet";
import { describeError } from "../data/errors";
import { short } from "../format";
import { useWallet } from "../wallet";

type State =
  | { step: "idle" }
  | { step: "sending" }
  | { step: "done"; txHash: string }
  | { step: "failed"; error: string };

export function ActionButton({
  label,
  send,
  onDone,
}: {
  label: string;
  send: (wallet: ConnectedWallet) => Promise<{ txHash: string }>;
  onDone?: () => void;
}) {
  const { connect } = useWallet();
  const [state, setState] = useState<State>({ step: "idle" });
  const run = async () => {
    const wallet = await connect();
    if (!wallet) return;
    setState({ step: "sending" });
    try {
      const { txHash } = await send(wallet);
      setState({ step: "done", txHash });
      onDone?.();
    } catch (error) {
      setState({ step: "failed", error: describeError(error) });
    }
  };
  return (
    <span class="action">
      <button type="button" disabled={state.step === "sending"} onClick={() => void run()}>
        {state.step === "sending" ? "Sending…" : label}
      </button>
      {state.step === "done" && (
        <span class="action-done" role="status" title={state.txHash}>
          Done (tx {short(state.txHash)})
        </span>
      )}
      {state.step === "failed" && (
        <span class="action-failed" role="alert">
          {state.error}
        </span>
      )}
    </span>
  );
}

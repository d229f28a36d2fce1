/**
 * A task's result: downloaded with the connected wallet's signature when it is the requester's or the
 * beneficiary's, else the exact CLI command that downloads it. Never the store's raw refusal.
 */
import { useState } from "preact/hooks";
import { describeError } from "../data/errors";
import { ResultDownloadError, downloadCommand, fetchResult, saveBlob } from "../data/result-download";
import { useServices } from "../services";
import { useWallet } from "../wallet";

type State = { step: "idle" } | { step: "busy" } | { step: "done" } | { step: "failed"; error: string };

function Command({ taskid }: { taskid: string }) {
  return (
    <code class="command mono wrap" data-testid="result-command">
      {downloadCommand(taskid)}
    </code>
  );
}

/** The result of `taskid` stored at `location`, for a deal of `requester` and `beneficiary`. */
export function ResultDownload({
  taskid,
  location,
  requester,
  beneficiary,
}: {
  taskid: string;
  location: string;
  requester: string;
  beneficiary: string;
}) {
  const { config } = useServices();
  const { wallet, connect } = useWallet();
  const [state, setState] = useState<State>({ step: "idle" });
  const entitled = (address: string) =>
    [requester, beneficiary].some((allowed) => allowed.toLowerCase() === address.toLowerCase());

  const run = async () => {
    const connected = await connect();
    if (!connected) return;
    if (!entitled(connected.address)) return;
    setState({ step: "busy" });
    try {
      const signer = connected.poco.context.signer!;
      saveBlob(await fetchResult(config, location, taskid, signer), taskid);
      setState({ step: "done" });
    } catch (error) {
      setState({
        step: "failed",
        error: error instanceof ResultDownloadError ? error.message : describeError(error),
      });
    }
  };

  if (wallet && !entitled(wallet.address))
    return (
      <div class="result" data-testid="result">
        <p data-testid="result-instructions">
          Only the deal's requester or beneficiary can download this result; the connected wallet is neither.
          With their wallet, run:
        </p>
        <Command taskid={taskid} />
      </div>
    );
  return (
    <div class="result" data-testid="result">
      <button type="button" class="download" disabled={state.step === "busy"} onClick={() => void run()}>
        {state.step === "busy"
          ? "Downloading…"
          : wallet
            ? "Download the result (signed by your wallet)"
            : "Connect the requester's wallet to download"}
      </button>
      {state.step === "done" && (
        <span class="action-done" role="status">
          Downloaded {taskid.slice(0, 10)}….zip
        </span>
      )}
      {state.step === "failed" && (
        <p class="action-failed" role="alert" data-testid="result-error">
          {state.error} Download it from a terminal instead:
        </p>
      )}
      <p class="muted" data-testid="result-instructions">
        The result store serves only the deal's requester and beneficiary. From a terminal, with their wallet:
      </p>
      <Command taskid={taskid} />
    </div>
  );
}

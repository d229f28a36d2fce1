/**
 * A task's result on IPFS: public, so anyone downloads it, without a wallet. The page fetches it through
 * the configured gateway and saves it only once it matches the on-chain digest or its CID.
 */
import { useState } from "preact/hooks";
import { describeError } from "../data/errors";
import { fetchIpfsResult, ipfsDownloadCommand, type IpfsResultCheck } from "../data/ipfs-result";
import { ResultDownloadError, saveBlob } from "../data/result-download";
import { useServices } from "../services";

type State =
  | { step: "idle" }
  | { step: "busy" }
  | { step: "done"; check: IpfsResultCheck }
  | { step: "failed"; error: string };

const CHECKED: Record<IpfsResultCheck, string> = {
  digest: "verified: its sha256 is the on-chain result digest",
  cid: "these are the bytes of the task's on-chain location (they give back its CID), written by the worker that finalized it. NOT checked against the result digest, which comes from the app's determinism file or the decrypted result: check it with the command below",
};

/** The result of `taskid` at `ipfsPath` (`/ipfs/<cid>`), whose on-chain digest is `resultDigest`. */
export function IpfsResultDownload({
  taskid,
  ipfsPath,
  resultDigest,
}: {
  taskid: string;
  ipfsPath: string;
  resultDigest: string;
}) {
  const { config } = useServices();
  const [state, setState] = useState<State>({ step: "idle" });

  const run = async () => {
    setState({ step: "busy" });
    try {
      const { blob, check } = await fetchIpfsResult(config, ipfsPath, resultDigest);
      saveBlob(blob, taskid);
      setState({ step: "done", check });
    } catch (error) {
      setState({
        step: "failed",
        error: error instanceof ResultDownloadError ? error.message : describeError(error),
      });
    }
  };

  return (
    <div class="result" data-testid="result" data-storage="ipfs">
      <p class="mono wrap" data-testid="result-location">
        {ipfsPath}
      </p>
      {config.ipfsGateway && (
        <button type="button" class="download" disabled={state.step === "busy"} onClick={() => void run()}>
          {state.step === "busy" ? "Downloading…" : "Download the result from IPFS"}
        </button>
      )}
      {state.step === "done" && (
        <span class="action-done" role="status" data-testid="result-verified">
          Downloaded {taskid.slice(0, 10)}….zip: {CHECKED[state.check]}.
        </span>
      )}
      {state.step === "failed" && (
        <p class="action-failed" role="alert" data-testid="result-error">
          {state.error} Download it from a terminal instead:
        </p>
      )}
      <p class="muted" data-testid="result-instructions">
        {config.ipfsGateway
          ? "This result is on IPFS: anyone can download it (encrypted results stay unreadable without the beneficiary's key). From a terminal:"
          : 'This result is on IPFS and the explorer has no IPFS gateway ("ipfsGateway" in chain.json). From a terminal:'}
      </p>
      <code class="command mono wrap" data-testid="result-command">
        {ipfsDownloadCommand(taskid)}
      </code>
    </div>
  );
}

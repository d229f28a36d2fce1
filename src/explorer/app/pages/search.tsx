/**
 * Search: an address opens its asset or account page, a 32-byte id the deal or task it names. Anything
 * else is explained.
 */
import { useEffect } from "preact/hooks";
import { ErrorBox, Loading } from "../components/status";
import { useLoad } from "../hooks";
import { href, navigate } from "../router";
import type { Services } from "../services";
import { useServices } from "../services";
import { isNotFound } from "../data/errors";

/** Where `text` leads, as a "#/..." link. */
export async function resolveSearch(text: string, { chain }: Services): Promise<string> {
  const q = text.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(q)) {
    const kind = await chain.assetKind(q);
    return href(kind ?? "account", q);
  }
  if (/^0x[0-9a-fA-F]{64}$/.test(q)) {
    const id = q.toLowerCase();
    try {
      await chain.deal(id);
      return href("deal", id);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (await chain.taskExists(id)) return href("task", id);
    throw new Error(`No deal and no initialized task has the id ${id} on this chain.`);
  }
  throw new Error(
    `"${q}" is neither an address (0x + 40 hex digits) nor a deal or task id (0x + 64 hex digits).`,
  );
}

export function SearchPage({ text }: { text: string }) {
  const services = useServices();
  const loaded = useLoad(
    async (report) => {
      report(`Searching for ${text}…`);
      return resolveSearch(text, services);
    },
    [text],
  );
  useEffect(() => {
    if (loaded.state === "done") navigate(loaded.value, true);
  }, [loaded]);
  return (
    <>
      <h1>Search</h1>
      {loaded.state === "error" ? (
        <ErrorBox error={loaded.error} title="Search" />
      ) : (
        <Loading text={loaded.state === "loading" ? loaded.text : "Opening…"} />
      )}
    </>
  );
}

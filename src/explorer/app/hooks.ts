/** Loading data for a page: state, progress reports and cancellation when the page changes. */
import { useEffect, useState } from "preact/hooks";

/** Reports progress: a sentence and, when known, a fraction done. */
export type Report = (text: string, fraction?: number) => void;

/** The state of a load. */
export type Loaded<T> =
  | { state: "loading"; text: string; fraction?: number }
  | { state: "error"; error: unknown }
  | { state: "done"; value: T };

/** Runs `load` whenever `deps` change; stale answers of an earlier run are dropped. */
export function useLoad<T>(load: (report: Report) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading", text: "Loading…" });
  useEffect(() => {
    let current = true;
    setLoaded({ state: "loading", text: "Loading…" });
    const report: Report = (text, fraction) => {
      if (current) setLoaded({ state: "loading", text, fraction });
    };
    load(report).then(
      (value) => current && setLoaded({ state: "done", value }),
      (error: unknown) => current && setLoaded({ state: "error", error }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return loaded;
}

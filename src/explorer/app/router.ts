/** Hash routing: `#/deal/0x…?page=2` → { path: ["deal", "0x…"], query: { page: "2" } }. */
import { useEffect, useState } from "preact/hooks";

/** The current route. */
export interface Route {
  path: string[];
  query: Record<string, string>;
}

/** Parses a location hash. */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, "");
  const [pathPart, queryPart] = text.split("?", 2);
  const path = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(queryPart ?? "")) query[name] = value;
  return { path, query };
}

/** The link of a route: `href("deal", id)` → "#/deal/<id>". */
export function href(...parts: (string | number)[]): string {
  return "#/" + parts.map((part) => encodeURIComponent(String(part))).join("/");
}

/** `base` with the query `query` (empty values dropped). */
export function withQuery(base: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== "") params.set(name, String(value));
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

/** Goes to `target` (a "#/..." link); `replace` keeps the current entry out of the history. */
export function navigate(target: string, replace = false): void {
  if (replace) location.replace(target);
  else location.hash = target.slice(1);
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const onChange = () => {
      setRoute(parseHash(location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

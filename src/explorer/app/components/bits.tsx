/** Small display pieces: links to addresses and ids, status badges, key/value lists, pagers. */
import type { ComponentChildren } from "preact";
import { TaskStatus } from "../../../sdk/core/index";
import { teeNotice } from "../../../sdk/core/tee-dev";
import { short, tagLabel } from "../format";
import { href, withQuery } from "../router";

const ZERO = /^0x0{40}$/;

/** An address linking to its page (an asset kind's page, or the account page). */
export function Addr({ address, kind, full }: { address: string; kind?: string; full?: boolean }) {
  if (!address || ZERO.test(address)) return <span class="muted">none</span>;
  return (
    <a class="mono" href={href(kind ?? "account", address)} title={address}>
      {full ? address : short(address)}
    </a>
  );
}

/** A deal id or task id linking to its page. */
export function IdLink({ id, kind, full }: { id: string; kind: "deal" | "task"; full?: boolean }) {
  return (
    <a class="mono" href={href(kind, id)} title={id}>
      {full ? id : short(id, 8)}
    </a>
  );
}

/** A task status as a coloured badge. */
export function StatusBadge({ status }: { status: TaskStatus | string }) {
  const name = typeof status === "string" ? status : TaskStatus[status];
  return <span class={`badge status-${name.toLowerCase()}`}>{name}</span>;
}

/**
 * A deal's tag: its name ("standard", "TEE+TDX"…), its hex, and on a local development chain the
 * development enclave's warning, which a TEE task there always ran in.
 */
export function TagView({ tag, chainId }: { tag: string; chainId: string }) {
  const notice = teeNotice(tag, BigInt(chainId));
  return (
    <span>
      {tagLabel(tag)} <span class="mono wrap muted">{tag}</span>
      {notice && (
        <span class="badge tee-dev" data-testid="tee-dev">
          {notice}
        </span>
      )}
    </span>
  );
}

/** A definition list of label → value. */
export function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([label, value]) => (
        <div class="field" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Monospace text that wraps anywhere (hashes, URLs). */
export function Mono({ children }: { children: ComponentChildren }) {
  return <span class="mono wrap">{children}</span>;
}

/** Previous / next links of a paged list. */
export function Pager({
  base,
  query = {},
  page,
  count,
  size,
  param = "page",
}: {
  base: string;
  query?: Record<string, string | number | undefined>;
  page: number;
  count: number;
  size: number;
  param?: string;
}) {
  const pages = Math.max(1, Math.ceil(count / size));
  if (pages <= 1) return null;
  const link = (p: number) => withQuery(base, { ...query, [param]: p === 0 ? undefined : p });
  return (
    <nav class="pager" aria-label="pages">
      {page > 0 ? <a href={link(page - 1)}>← Previous</a> : <span class="muted">← Previous</span>}
      <span>
        page {page + 1} of {pages} ({count} in all)
      </span>
      {page + 1 < pages ? <a href={link(page + 1)}>Next →</a> : <span class="muted">Next →</span>}
    </nav>
  );
}

/** A table that scrolls sideways on its own on narrow screens. */
export function Table({ head, children }: { head: string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** The page number of a `page` query value. */
export function pageOf(value: string | undefined): number {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

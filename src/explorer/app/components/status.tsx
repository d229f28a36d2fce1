/** Loading, error and empty states. */
import type { ComponentChildren } from "preact";
import { describeError } from "../data/errors";
import type { Loaded } from "../hooks";

export function Loading({ text, fraction }: { text: string; fraction?: number }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <progress max={1} value={fraction} aria-label={text} />
      <span>{text}</span>
    </div>
  );
}

export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  return (
    <div class="error" role="alert">
      {title && <strong>{title}: </strong>}
      {describeError(error)}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Renders `render(value)` once loaded, a progress bar before, the error after a failure. */
export function Show<T>({
  loaded,
  render,
  title,
}: {
  loaded: Loaded<T>;
  render: (value: T) => ComponentChildren;
  title?: string;
}) {
  if (loaded.state === "loading") return <Loading text={loaded.text} fraction={loaded.fraction} />;
  if (loaded.state === "error") return <ErrorBox error={loaded.error} title={title} />;
  return <>{render(loaded.value)}</>;
}

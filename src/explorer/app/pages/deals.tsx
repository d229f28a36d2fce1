/** All deals the market recorded, newest first. */
import { DealList } from "../components/lists";

export function DealsPage({ page }: { page: number }) {
  return (
    <>
      <h1>Deals</h1>
      <DealList filters={{}} page={page} base="#/deals" />
    </>
  );
}

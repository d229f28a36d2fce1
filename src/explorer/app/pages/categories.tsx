/** The categories of work, from the chain. */
import { Pager, Table } from "../components/bits";
import { Show } from "../components/status";
import { duration } from "../format";
import { useLoad } from "../hooks";
import { useServices } from "../services";

const PER_PAGE = 20;

export function CategoriesPage({ page }: { page: number }) {
  const { chain } = useServices();
  const loaded = useLoad(
    async (report) => {
      report("Reading the categories from the chain…");
      return chain.categories(page, PER_PAGE);
    },
    [page],
  );
  return (
    <>
      <h1>Categories</h1>
      <Show
        loaded={loaded}
        title="Categories"
        render={({ count, categories }) => (
          <>
            <Table head={["id", "name", "description", "work clock time"]}>
              {categories.map((category) => (
                <tr key={category.id.toString()}>
                  <td class="num">{category.id.toString()}</td>
                  <td>{category.name}</td>
                  <td>{category.description}</td>
                  <td class="num">{duration(category.workClockTimeRef)}</td>
                </tr>
              ))}
            </Table>
            <Pager base="#/categories" page={page} count={count} size={PER_PAGE} />
          </>
        )}
      />
    </>
  );
}

/** `category create|show|count`: categories of work (creating one is for the hub owner). */
import type { Command } from "commander";
import { InvalidInputError } from "../../sdk/core/errors";
import { action } from "../action";
import type { Session } from "../session";

function id(text: string): bigint {
  if (!/^\d+$/.test(text))
    throw new InvalidInputError(`Invalid category id ${JSON.stringify(text)}: give a number.`);
  return BigInt(text);
}

async function create(session: Session): Promise<void> {
  const section = await session.project.section("category", "category init");
  const { name, description, workClockTimeRef } = section as Record<string, unknown>;
  if (typeof name !== "string" || !/^\d+$/.test(String(workClockTimeRef)))
    throw new InvalidInputError(
      'The iexec.json "category" needs a "name" and a "workClockTimeRef" in seconds.',
    );
  const poco = await session.connect(true);
  const created = await session.out.step(
    "Creating the category",
    poco.categories.create({
      name,
      description: typeof description === "string" ? description : JSON.stringify(description ?? ""),
      workClockTimeRef: BigInt(String(workClockTimeRef)),
    }),
  );
  session.out.success(`Created category ${created.id}`, { txHash: created.txHash });
  session.out.set({ catid: created.id, txHash: created.txHash });
}

async function init(session: Session): Promise<void> {
  const category = { name: "EXTRA_LARGE", description: "{}", workClockTimeRef: "36000" };
  await session.project.update("iexec.json", (iexec) => void (iexec.category = category));
  session.out.success('Saved default category in "iexec.json", you can edit it', category);
  session.out.set({ category });
}

async function show(session: Session, catid: string): Promise<void> {
  const poco = await session.connect(false);
  const category = await poco.categories.show(id(catid));
  session.out.success(`Category ${catid}`, { ...category });
  session.out.set({ index: category.id, category });
}

async function count(session: Session): Promise<void> {
  const poco = await session.connect(false);
  const total = await poco.categories.count();
  session.out.success(`${total} categories`);
  session.out.set({ count: total });
}

/** Registers `category`. */
export function registerCategory(program: Command): void {
  const category = program.command("category").description("categories of work");
  category.command("init").description('add a "category" section to iexec.json').action(action(init));
  category
    .command("create")
    .description("create the category of iexec.json (hub owner only)")
    .action(action(create));
  category
    .command("show")
    .argument("<id>", "category id")
    .description("show a category")
    .action(action(show));
  category.command("count").description("count the categories").action(action(count));
}

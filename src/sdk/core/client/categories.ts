/** Categories of work: a name, a description and the time reference that sets task deadlines. */
import { InvalidInputError } from "../errors";
import type { ClientContext, Sent } from "./context";

/** A category. */
export interface CategoryInfo {
  id: bigint;
  name: string;
  description: string;
  workClockTimeRef: bigint;
}

/** Reads and creates categories. */
export class CategoriesApi {
  constructor(private readonly context: ClientContext) {}

  /** Number of categories; ids run from 0 to count - 1. */
  async count(): Promise<bigint> {
    return this.context.call("count the categories", () => this.context.hub.countCategory());
  }

  /** Category `id`. */
  async show(id: bigint): Promise<CategoryInfo> {
    const category = await this.context.call(`read category ${id}`, () => this.context.hub.viewCategory(id));
    return {
      id,
      name: category.name,
      description: category.description,
      workClockTimeRef: category.workClockTimeRef,
    };
  }

  /** Creates a category (the hub owner only); returns its id. */
  async create(fields: {
    name: string;
    description: string;
    workClockTimeRef: bigint;
  }): Promise<Sent & { id: bigint }> {
    if (!fields.name) throw new InvalidInputError('The category has no "name": give one.');
    if (fields.workClockTimeRef <= 0n)
      throw new InvalidInputError(`The category's workClockTimeRef must be a positive number of seconds.`);
    const hub = this.context.hub.connect(this.context.requireSigner("create a category"));
    const sent = await this.context.send("create the category", () =>
      hub.createCategory(fields.name, fields.description, fields.workClockTimeRef),
    );
    for (const log of sent.receipt.logs) {
      const parsed = this.context.hub.interface.parseLog(log);
      if (parsed?.name === "CreateCategory") return { ...sent, id: parsed.args.catid };
    }
    return { ...sent, id: (await this.count()) - 1n };
  }
}

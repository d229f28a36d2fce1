/**
 * Run counts of the property tests (fast-check), under one profile: local runs keep each file's default, and
 * PROPERTY_PROFILE=ci (`npm run test:property`, a CI step) multiplies them, as a CI fuzz profile does.
 */
const MULTIPLIER: Record<string, number> = { local: 1, ci: 10 };

export const PROPERTY_PROFILE = process.env.PROPERTY_PROFILE ?? "local";

/**
 * The run count of one property: `override` (the name of an environment variable, e.g. MATCH_PROPERTY_RUNS)
 * when set, else `localDefault` times the profile's multiplier, capped by `ciMultiplier` for properties that
 * are too slow to run 10 times more within CI's budget.
 */
export function runs(
  localDefault: number,
  { override, ciMultiplier }: { override?: string; ciMultiplier?: number } = {},
): number {
  const fromEnv = override === undefined ? undefined : process.env[override];
  if (fromEnv !== undefined && fromEnv !== "") return Number(fromEnv);
  const multiplier = MULTIPLIER[PROPERTY_PROFILE];
  if (multiplier === undefined)
    throw new Error(`PROPERTY_PROFILE must be one of ${Object.keys(MULTIPLIER).join(", ")}`);
  return localDefault * Math.min(multiplier, ciMultiplier ?? multiplier);
}

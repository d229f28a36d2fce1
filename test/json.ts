/**
 * Parsed JSON that a test reads field by field (a `--raw` answer of the CLI, an HTTP answer of the market) and
 * whose shape its assertions check: typing each answer would restate the code under test.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the assertions are the type check
export type Json = Record<string, any>;

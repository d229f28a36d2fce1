/** Awaiting what must fail, for tests that then look at the error's class, code and message. */

/** The error `promise` rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to be rejected");
}

/** The error of class `type` that `promise` rejects with; any other outcome throws. */
export async function rejectionOf<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await rejection(promise);
  if (error instanceof type) return error;
  throw error;
}

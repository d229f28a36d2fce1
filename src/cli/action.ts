/** The one wrapper around every command: a session in, the raw result or one clear error out. */
import type { Command } from "commander";
import { Session, type GlobalOptions } from "./session";

/** A command body: the session, then the command's arguments and its own options. */
export type CommandBody<A extends unknown[]> = (session: Session, ...args: A) => Promise<void>;

/** Wraps a command body for commander: builds the session, prints the result or the error, sets the exit code. */
export function action<A extends unknown[]>(body: CommandBody<A>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const session = new Session(command.optsWithGlobals<GlobalOptions>());
    try {
      await body(session, ...(args.slice(0, -1) as A));
      session.out.finish();
    } catch (error) {
      session.out.fail(error);
      process.exitCode = 1;
    } finally {
      session.close();
    }
  };
}

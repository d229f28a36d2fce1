/** Terminal prompts: a password that is never echoed. */
import { InvalidInputError } from "../sdk/core/errors";

/** Asks for a password on the terminal without echoing it; fails clearly when there is no terminal. */
export async function promptPassword(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY)
    throw new InvalidInputError(
      "A wallet password is needed and there is no terminal to ask it: pass --password or set OPENPOCO_WALLET_PASSWORD.",
    );
  process.stderr.write(`? ${question} `);
  input.setRawMode(true);
  input.resume();
  input.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003") return done(new InvalidInputError("Cancelled."));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on("data", onData);
  });
}

/** App logs and workers' details are printed as text: control characters cannot drive the terminal. */
import { expect } from "chai";
import { printable } from "../../src/cli/commands/task-debug";

describe("printable (task debug's output)", () => {
  it("shows escape sequences and other control characters as \\xNN, keeps newlines, tabs and Unicode", () => {
    expect(printable("red\u001b[31m text\r\nbell\u0007\tdel\u007f c1\u009b é✓")).to.equal(
      "red\\x1b[31m text\\x0d\nbell\\x07\tdel\\x7f c1\\x9b é✓",
    );
  });
});

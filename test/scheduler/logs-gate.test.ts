/**
 * The logs route's challenges: one-use, for one address, tied to this workerpool and chain, swept once
 * expired, and a few at most per address so that one asker cannot crowd out the others.
 */
import { expect } from "chai";
import { Wallet, type Signer } from "ethers";
import { signChallenge } from "../../src/sdk/core/market/auth";
import { checkLogsChallenge } from "../../src/sdk/core/workerpool-api";
import { LOGS_CHALLENGES_PER_ADDRESS, LogsGate } from "../../src/scheduler/logs-gate";

const WORKERPOOL = "0x000000000000000000000000000000000000dEaD";

describe("@scheduler logs challenges", () => {
  const requester = Wallet.createRandom();
  const other = Wallet.createRandom();

  async function header(gate: LogsGate, signer: Signer & { address: string }): Promise<string> {
    const typed = gate.challenge("31337", signer.address);
    const text = checkLogsChallenge(typed, 31337n, WORKERPOOL);
    expect(text, "the gate's challenge is one the client accepts").to.be.a("string");
    return (await signChallenge(signer, 31337n, text!)).authorization;
  }

  it("names this workerpool, serves once, and proves the signer", async () => {
    const gate = new LogsGate(31337n, WORKERPOOL);
    const typed = gate.challenge("31337", requester.address);
    expect(typed.message.challenge).to.match(
      /of workerpool 0x000000000000000000000000000000000000dEaD: [0-9a-f]{64}$/,
    );
    expect(checkLogsChallenge(typed, 31337n, other.address), "another pool's client refuses it").to.equal(
      undefined,
    );
    const once = await header(gate, requester);
    expect(gate.authenticate(once)).to.equal(requester.address);
    expect(() => gate.authenticate(once)).to.throw(/used or expired/);
  });

  it("expires challenges after their life", async () => {
    let now = 1_000;
    const gate = new LogsGate(31337n, WORKERPOOL, 60_000, () => now);
    const late = await header(gate, requester);
    now += 60_000;
    expect(() => gate.authenticate(late)).to.throw(/used or expired/);
  });

  it(`keeps ${LOGS_CHALLENGES_PER_ADDRESS} live challenges per address, retiring that address's oldest only`, async () => {
    const gate = new LogsGate(31337n, WORKERPOOL);
    const others = await header(gate, other);
    const mine: string[] = [];
    for (let i = 0; i <= LOGS_CHALLENGES_PER_ADDRESS; i++) mine.push(await header(gate, requester));
    expect(() => gate.authenticate(mine[0]), "the oldest beyond the cap").to.throw(/used or expired/);
    for (const kept of mine.slice(1)) expect(gate.authenticate(kept)).to.equal(requester.address);
    expect(gate.authenticate(others), "another address's challenge is untouched").to.equal(other.address);
  });
});

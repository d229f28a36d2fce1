import { expect } from "chai";
import fc from "fast-check";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployCore, fund, RLC_UNIT } from "../fixtures";
import { runs } from "../property-runs";

/**
 * Random sequences of escrow operations against a plain TypeScript model of the ledger. After
 * every step: each account's RLC, SRLC and allowances equal the model's, and the RLC the hub holds
 * equals the SRLC supply (plus RLC sent to it directly, until the owner recovers it).
 */
describe("Hub escrow (property)", () => {
  const ACTORS = 4;
  const START = 100n * RLC_UNIT;

  async function fundedActors() {
    const core = await deployCore();
    const actors = core.accounts.slice(0, ACTORS);
    await fund(core.rlc, START, ...actors);
    for (const actor of actors)
      await core.rlc.connect(actor).approve(await core.hub.getAddress(), ethers.MaxUint256);
    return { ...core, actors };
  }

  type Op =
    | { kind: "deposit" | "withdraw"; who: number; amount: bigint }
    | { kind: "depositFor" | "withdrawTo" | "transfer" | "approve"; who: number; to: number; amount: bigint }
    | { kind: "transferFrom"; who: number; from: number; to: number; amount: bigint }
    | { kind: "stray"; who: number; amount: bigint }
    | { kind: "recover" };

  const actor = fc.nat({ max: ACTORS - 1 });
  const amount = fc.oneof(fc.bigInt({ min: 0n, max: 150n * RLC_UNIT }), fc.constantFrom(0n, 1n, START));
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constantFrom("deposit" as const, "withdraw" as const), who: actor, amount }),
    fc.record({
      kind: fc.constantFrom(
        "depositFor" as const,
        "withdrawTo" as const,
        "transfer" as const,
        "approve" as const,
      ),
      who: actor,
      to: actor,
      amount,
    }),
    fc.record({ kind: fc.constant("transferFrom" as const), who: actor, from: actor, to: actor, amount }),
    fc.record({
      kind: fc.constant("stray" as const),
      who: actor,
      amount: fc.bigInt({ min: 1n, max: RLC_UNIT }),
    }),
    fc.record({ kind: fc.constant("recover" as const) }),
  );

  it("keeps the ledger equal to the model and RLC held == SRLC supply", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { hub, rlc, actors, deployer } = await loadFixture(fundedActors);
        const hubAddress = await hub.getAddress();
        const owner = deployer.address;
        const rlcOf = new Map<string, bigint>(actors.map((a) => [a.address, START]));
        const srlcOf = new Map<string, bigint>();
        const allowanceOf = new Map<string, bigint>();
        const get = (m: Map<string, bigint>, k: string) => m.get(k) ?? 0n;
        const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, get(m, k) + v);
        let supply = 0n;
        let stray = 0n;

        for (const step of ops) {
          const me = step.kind === "recover" ? deployer : actors[step.who];
          let call: Promise<unknown>;
          let ok: boolean;
          switch (step.kind) {
            case "deposit":
              ok = get(rlcOf, me.address) >= step.amount;
              call = hub.connect(me).deposit(step.amount);
              if (ok) {
                add(rlcOf, me.address, -step.amount);
                add(srlcOf, me.address, step.amount);
                supply += step.amount;
              }
              break;
            case "depositFor": {
              const to = actors[step.to].address;
              ok = get(rlcOf, me.address) >= step.amount;
              call = hub.connect(me).depositFor(step.amount, to);
              if (ok) {
                add(rlcOf, me.address, -step.amount);
                add(srlcOf, to, step.amount);
                supply += step.amount;
              }
              break;
            }
            case "withdraw":
              ok = get(srlcOf, me.address) >= step.amount;
              call = hub.connect(me).withdraw(step.amount);
              if (ok) {
                add(srlcOf, me.address, -step.amount);
                add(rlcOf, me.address, step.amount);
                supply -= step.amount;
              }
              break;
            case "withdrawTo": {
              const to = actors[step.to].address;
              ok = get(srlcOf, me.address) >= step.amount;
              call = hub.connect(me).withdrawTo(step.amount, to);
              if (ok) {
                add(srlcOf, me.address, -step.amount);
                add(rlcOf, to, step.amount);
                supply -= step.amount;
              }
              break;
            }
            case "transfer": {
              const to = actors[step.to].address;
              ok = get(srlcOf, me.address) >= step.amount;
              call = hub.connect(me).transfer(to, step.amount);
              if (ok) {
                add(srlcOf, me.address, -step.amount);
                add(srlcOf, to, step.amount);
              }
              break;
            }
            case "approve": {
              ok = true;
              call = hub.connect(me).approve(actors[step.to].address, step.amount);
              allowanceOf.set(`${me.address}>${actors[step.to].address}`, step.amount);
              break;
            }
            case "transferFrom": {
              const from = actors[step.from].address;
              const to = actors[step.to].address;
              const key = `${from}>${me.address}`;
              ok = get(allowanceOf, key) >= step.amount && get(srlcOf, from) >= step.amount;
              call = hub.connect(me).transferFrom(from, to, step.amount);
              if (ok) {
                add(allowanceOf, key, -step.amount);
                add(srlcOf, from, -step.amount);
                add(srlcOf, to, step.amount);
              }
              break;
            }
            case "stray":
              ok = get(rlcOf, me.address) >= step.amount;
              call = rlc.connect(me).transfer(hubAddress, step.amount);
              if (ok) {
                add(rlcOf, me.address, -step.amount);
                stray += step.amount;
              }
              break;
            case "recover":
              ok = true;
              call = hub.recover();
              add(srlcOf, owner, stray);
              supply += stray;
              stray = 0n;
              break;
          }
          if (ok) await expect(call).not.to.be.reverted;
          else await expect(call).to.be.reverted;

          expect(await rlc.balanceOf(hubAddress)).to.equal(supply + stray, "RLC held by the hub");
          expect(await hub.totalSupply()).to.equal(supply, "SRLC supply");
          for (const a of [...actors.map((x) => x.address), owner]) {
            expect(await hub.balanceOf(a)).to.equal(get(srlcOf, a), `SRLC of ${a}`);
            if (a !== owner) expect(await rlc.balanceOf(a)).to.equal(get(rlcOf, a), `RLC of ${a}`);
          }
          // Every allowance among the actors, set or not (an unset one is 0).
          for (const from of actors) {
            for (const spender of actors) {
              const key = `${from.address}>${spender.address}`;
              expect(await hub.allowance(from.address, spender.address)).to.equal(
                get(allowanceOf, key),
                `allowance ${key}`,
              );
            }
          }
        }
      }),
      { numRuns: runs(40, { ciMultiplier: 2 }) },
    );
  });
});

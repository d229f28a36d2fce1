import { expect } from "chai";
import fc from "fast-check";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { RLC_DECIMALS, formatRlc, parseRlc } from "../../src/sdk/core/units";
import { runs } from "../property-runs";

const RLC = 10n ** 9n;

/** The InvalidInputError `run` throws (fails the test if it throws nothing or something else). */
function invalid(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    expect((error as InvalidInputError).code).to.equal("INVALID_INPUT");
    return error as InvalidInputError;
  }
  expect.fail("expected an InvalidInputError");
}

describe("SDK units (parseRlc, formatRlc)", () => {
  it("has 9 decimals", () => {
    expect(RLC_DECIMALS).to.equal(9);
  });

  describe("parseRlc", () => {
    it("reads a bare number as nRLC by default", () => {
      expect(parseRlc("0")).to.equal(0n);
      expect(parseRlc("5")).to.equal(5n);
      expect(parseRlc("5000000000")).to.equal(5n * RLC);
      expect(parseRlc("  42  ")).to.equal(42n);
    });

    it("reads the unit inline, with or without a space", () => {
      expect(parseRlc("5 RLC")).to.equal(5n * RLC);
      expect(parseRlc("5RLC")).to.equal(5n * RLC);
      expect(parseRlc("300 nRLC")).to.equal(300n);
      expect(parseRlc("300nRLC")).to.equal(300n);
      expect(parseRlc("1.5 RLC")).to.equal(1_500_000_000n);
      expect(parseRlc("0.5RLC")).to.equal(500_000_000n);
    });

    it("reads the unit as an argument", () => {
      expect(parseRlc("5", "RLC")).to.equal(5n * RLC);
      expect(parseRlc("1.25", "RLC")).to.equal(1_250_000_000n);
      expect(parseRlc("7", "nRLC")).to.equal(7n);
    });

    it("accepts the same unit both inline and as argument", () => {
      expect(parseRlc("2 RLC", "rlc")).to.equal(2n * RLC);
      expect(parseRlc("2 nrlc", "nRLC")).to.equal(2n);
    });

    it("reads units case-insensitively", () => {
      for (const unit of ["rlc", "RLC", "Rlc", "rLc"]) {
        expect(parseRlc(`3 ${unit}`)).to.equal(3n * RLC, unit);
        expect(parseRlc("3", unit)).to.equal(3n * RLC, unit);
      }
      for (const unit of ["nrlc", "NRLC", "nRLC", "Nrlc"]) {
        expect(parseRlc(`3 ${unit}`)).to.equal(3n, unit);
        expect(parseRlc("3", unit)).to.equal(3n, unit);
      }
    });

    it("reads RLC with up to 9 decimals, exactly", () => {
      expect(parseRlc("0.000000001 RLC")).to.equal(1n);
      expect(parseRlc("1.123456789 RLC")).to.equal(1_123_456_789n);
      expect(parseRlc("0.1", "RLC")).to.equal(100_000_000n);
      // No floating point: a value that doubles cannot hold exactly.
      expect(parseRlc("9007199254.740993 RLC")).to.equal(9_007_199_254_740_993_000n);
      expect(parseRlc("123456789012345678901234567890.999999999 RLC")).to.equal(
        123456789012345678901234567890n * RLC + 999_999_999n,
      );
    });

    it("refuses 10 decimals of RLC", () => {
      expect(invalid(() => parseRlc("0.0000000001 RLC")).message).to.match(/at most 9 decimals/);
      expect(invalid(() => parseRlc("1.1234567890", "RLC")).message).to.match(/at most 9 decimals/);
    });

    it("refuses decimals of nRLC, but not trailing zeros", () => {
      expect(invalid(() => parseRlc("1.5 nRLC")).message).to.match(/smallest unit/);
      expect(invalid(() => parseRlc("1.5")).message).to.match(/smallest unit/);
      expect(invalid(() => parseRlc("0.1", "nRLC")).message).to.match(/smallest unit/);
      expect(parseRlc("2.000 nRLC")).to.equal(2n);
    });

    it("refuses negative, empty, non-numeric and malformed amounts", () => {
      for (const bad of [
        "-1",
        "-1 RLC",
        "",
        "   ",
        "abc",
        "RLC",
        "1e9",
        "0x10",
        "1,5 RLC",
        ".5 RLC",
        "5.",
        "1 2",
      ])
        expect(invalid(() => parseRlc(bad)).message).to.match(/^Invalid amount/, JSON.stringify(bad));
    });

    it("refuses unknown units, inline or as argument", () => {
      expect(invalid(() => parseRlc("5 ETH")).message).to.match(/Unknown unit "ETH"/);
      expect(invalid(() => parseRlc("5", "wei")).message).to.match(/Unknown unit "wei"/);
    });

    it("refuses conflicting units", () => {
      expect(invalid(() => parseRlc("5 RLC", "nRLC")).message).to.match(/names a unit and nRLC was given/);
      expect(invalid(() => parseRlc("5 nRLC", "RLC")).message).to.match(/names a unit and RLC was given/);
    });
  });

  describe("formatRlc", () => {
    it("formats with as many decimals as needed", () => {
      expect(formatRlc(0n)).to.equal("0 RLC");
      expect(formatRlc(RLC)).to.equal("1 RLC");
      expect(formatRlc(1_500_000_000n)).to.equal("1.5 RLC");
      expect(formatRlc(1n)).to.equal("0.000000001 RLC");
      expect(formatRlc(1_000_000_010n)).to.equal("1.00000001 RLC");
      expect(formatRlc(100n * RLC)).to.equal("100 RLC");
    });

    it("formats large values exactly", () => {
      expect(formatRlc(2n ** 64n - 1n)).to.equal("18446744073.709551615 RLC");
      expect(formatRlc(2n ** 256n - 1n)).to.equal(
        `${(2n ** 256n - 1n) / RLC}.${((2n ** 256n - 1n) % RLC).toString().padStart(9, "0")} RLC`,
      );
    });

    it("formats negative values with a leading minus", () => {
      expect(formatRlc(-1n)).to.equal("-0.000000001 RLC");
      expect(formatRlc(-1_500_000_000n)).to.equal("-1.5 RLC");
      expect(formatRlc(-3n * RLC)).to.equal("-3 RLC");
    });
  });

  it("round-trips: parseRlc(formatRlc(x)) === x for every non-negative amount", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })),
        (x) => {
          expect(parseRlc(formatRlc(x))).to.equal(x);
        },
      ),
      { numRuns: runs(500) },
    );
  });

  it("round-trips the other way for RLC amounts written with at most 9 decimals", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.integer({ min: 0, max: 9 }),
        (whole, decimals) => {
          const fraction = decimals === 0 ? "" : String(whole % 10n ** BigInt(decimals));
          const text = decimals === 0 ? `${whole}` : `${whole}.${fraction.padStart(decimals, "0")}`;
          const nrlc = parseRlc(text, "RLC");
          // The same amount, written canonically (no trailing zeros), parses back to the same nRLC.
          expect(parseRlc(formatRlc(nrlc))).to.equal(nrlc);
          expect(formatRlc(nrlc).replace(/ RLC$/, "")).to.equal(
            text.includes(".") ? text.replace(/\.?0+$/, "") : text,
          );
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

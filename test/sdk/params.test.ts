import { expect } from "chai";
import { InvalidInputError } from "../../src/sdk/core/errors";
import { buildParams, parseParams } from "../../src/sdk/core/params";

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidInputError);
    return (error as Error).message;
  }
  return expect.fail("expected an InvalidInputError");
}

describe("SDK params (buildParams, parseParams)", () => {
  describe("buildParams", () => {
    it("is empty when nothing is asked", () => {
      expect(buildParams({})).to.equal("");
      expect(buildParams({ inputFiles: [], extra: "" })).to.equal("");
      expect(buildParams({ extra: {} })).to.equal("");
    });

    it("carries the args alone", () => {
      expect(JSON.parse(buildParams({ args: "--in x --out y" }))).to.deep.equal({
        iexec_args: "--in x --out y",
      });
      expect(JSON.parse(buildParams({ args: "" }))).to.deep.equal({ iexec_args: "" });
    });

    it("carries every field under its iexec_ name", () => {
      const params = JSON.parse(
        buildParams({
          args: "a b",
          inputFiles: ["https://example.org/in.txt", "http://127.0.0.1:8080/data.zip"],
          secrets: { "1": "apiKey" },
          resultEncryption: false,
          storageProvider: "ipfs",
          storageProxy: "http://127.0.0.1:13200",
        }),
      );
      expect(params).to.deep.equal({
        iexec_args: "a b",
        iexec_input_files: ["https://example.org/in.txt", "http://127.0.0.1:8080/data.zip"],
        iexec_secrets: { "1": "apiKey" },
        iexec_result_encryption: false,
        iexec_result_storage_provider: "ipfs",
        iexec_result_storage_proxy: "http://127.0.0.1:13200",
      });
    });

    it("refuses input files that are not http(s) URLs, naming the file", () => {
      for (const url of ["ftp://example.org/x", "/tmp/x", "example.org/x", "http://", "https://a b"])
        expect(failure(() => buildParams({ inputFiles: ["https://ok.example.org/", url] }))).to.equal(
          `Input file ${JSON.stringify(url)} is not an http(s) URL: workers download it.`,
        );
    });

    it("merges extra params, as JSON text or an object, under the explicit fields", () => {
      const extra = { iexec_args: "from extra", iexec_developer_logger: true, custom: { a: 1 } };
      for (const given of [extra, JSON.stringify(extra)]) {
        expect(JSON.parse(buildParams({ extra: given }))).to.deep.equal(extra);
        expect(
          JSON.parse(buildParams({ extra: given, args: "explicit", storageProvider: "ipfs" })),
        ).to.deep.equal({
          iexec_args: "explicit",
          iexec_developer_logger: true,
          custom: { a: 1 },
          iexec_result_storage_provider: "ipfs",
        });
      }
    });

    it("refuses extra params that are not a JSON object", () => {
      for (const bad of ["{", "not json", "[1,2]", "null", "42", '"text"'])
        expect(failure(() => buildParams({ extra: bad }))).to.equal(
          `--params must be a JSON object, got ${JSON.stringify(bad)}.`,
        );
    });
  });

  describe("parseParams", () => {
    it("reads JSON params as they are", () => {
      const params = { iexec_args: "--x", iexec_input_files: ["https://example.org/a"], other: 1 };
      expect(parseParams(JSON.stringify(params))).to.deep.equal(params);
    });

    it("reads what buildParams writes", () => {
      const built = buildParams({ args: "a", inputFiles: ["https://example.org/a"], resultEncryption: true });
      expect(parseParams(built)).to.deep.equal({
        iexec_args: "a",
        iexec_input_files: ["https://example.org/a"],
        iexec_result_encryption: true,
      });
    });

    it("reads a bare string as the args (legacy clients)", () => {
      expect(parseParams("--in x --out y")).to.deep.equal({ iexec_args: "--in x --out y" });
      expect(parseParams("{not json")).to.deep.equal({ iexec_args: "{not json" });
    });

    it("reads empty params as nothing asked", () => {
      expect(parseParams("")).to.deep.equal({});
      expect(parseParams("   ")).to.deep.equal({});
    });

    it("reads JSON that is not an object (an array, a number, null) as the args", () => {
      expect(parseParams('["a","b"]')).to.deep.equal({ iexec_args: '["a","b"]' });
      expect(parseParams("42")).to.deep.equal({ iexec_args: "42" });
      expect(parseParams("null")).to.deep.equal({ iexec_args: "null" });
    });
  });
});

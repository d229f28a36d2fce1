import { expect } from "chai";
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  digestToChecksum,
  imageDigest,
  isDockerDigest,
  parseBearerChallenge,
  parseImageReference,
} from "../../src/sdk/node/docker";
import { InvalidInputError, NotFoundError, ServiceUnavailableError } from "../../src/sdk/core/errors";
import { closedPortUrl, sendJson, startStub } from "./stub-server";
import type { Stub } from "./stub-server";
import { rejection } from "../rejection";

const HEX_A = "a".repeat(64);
const HEX_B = "b".repeat(64);
const HEX_C = "c".repeat(64);

/** Writes an executable fake `docker` that prints `stdout` (or fails with `stderr`) and logs its arguments. */
async function fakeDocker(dir: string, stdout: string, exitCode = 0, stderr = ""): Promise<string> {
  const bin = join(dir, "docker");
  const script = [
    "#!/bin/sh",
    `printf '%s\\n' "$*" >> "${join(dir, "args.log")}"`,
    `printf '%s' '${stdout}'`,
    `printf '%s' '${stderr}' >&2`,
    `exit ${exitCode}`,
  ].join("\n");
  await writeFile(bin, script);
  await chmod(bin, 0o755);
  return bin;
}

describe("SDK docker digests", function () {
  let registry: Stub | undefined;
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), "openpoco-docker-"));
  });

  afterEach(async function () {
    await registry?.close();
    registry = undefined;
  });

  it("isDockerDigest and digestToChecksum", function () {
    expect(isDockerDigest(`0x${HEX_A}`)).to.equal(true);
    expect(isDockerDigest(HEX_A)).to.equal(false);
    expect(isDockerDigest(`0x${HEX_A}00`)).to.equal(false);
    expect(digestToChecksum(`sha256:${HEX_A.toUpperCase()}`)).to.equal(`0x${HEX_A}`);
    expect(() => digestToChecksum("sha512:abc")).to.throw(InvalidInputError);
  });

  it("parseImageReference reads hosts, Docker Hub names, tags and digests", function () {
    expect(parseImageReference("nginx")).to.deep.equal({
      registry: "docker.io",
      apiHost: "registry-1.docker.io",
      repository: "library/nginx",
      tag: "latest",
      digest: undefined,
    });
    expect(parseImageReference("registry.hub.docker.com/iexechub/app:1.0")).to.include({
      registry: "docker.io",
      repository: "iexechub/app",
      tag: "1.0",
    });
    expect(parseImageReference("localhost:5000/team/app:v2")).to.include({
      registry: "localhost:5000",
      apiHost: "localhost:5000",
      repository: "team/app",
      tag: "v2",
    });
    expect(parseImageReference(`ghcr.io/o/app@sha256:${HEX_A}`)).to.include({
      registry: "ghcr.io",
      tag: undefined,
      digest: `sha256:${HEX_A}`,
    });
    expect(() => parseImageReference("Bad/Name")).to.throw(InvalidInputError);
    expect(() => parseImageReference("x@sha256:12")).to.throw(InvalidInputError);
  });

  it("parseBearerChallenge reads the WWW-Authenticate parameters", function () {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).to.deep.equal({
      realm: "https://auth.docker.io/token",
      service: "registry.docker.io",
      scope: "repository:library/nginx:pull",
    });
    expect(parseBearerChallenge('Basic realm="x"')).to.equal(undefined);
  });

  it("a pinned digest is used without asking anyone", async function () {
    const checksum = await imageDigest(`team/app@sha256:${HEX_A}`, {
      dockerBin: "/nonexistent",
      registry: false,
    });
    expect(checksum).to.equal(`0x${HEX_A}`);
  });

  it("the local engine's RepoDigest of the same repository wins", async function () {
    const bin = await fakeDocker(
      dir,
      JSON.stringify([`other/app@sha256:${HEX_B}`, `iexechub/app@sha256:${HEX_A}`]),
    );
    expect(await imageDigest("iexechub/app:1.0", { dockerBin: bin, registry: false })).to.equal(`0x${HEX_A}`);
    // Docker Hub's spellings name the same repository.
    expect(await imageDigest("docker.io/iexechub/app:1.0", { dockerBin: bin, registry: false })).to.equal(
      `0x${HEX_A}`,
    );
    const { readFile } = await import("node:fs/promises");
    const args = (await readFile(join(dir, "args.log"), "utf8")).trim().split("\n");
    expect(args[0]).to.equal("image inspect --format {{json .RepoDigests}} iexechub/app:1.0");
  });

  it("DOCKER_BIN overrides the docker binary", async function () {
    const bin = await fakeDocker(dir, JSON.stringify([`library/busybox@sha256:${HEX_C}`]));
    const saved = process.env.DOCKER_BIN;
    process.env.DOCKER_BIN = bin;
    try {
      expect(await imageDigest("busybox", { registry: false })).to.equal(`0x${HEX_C}`);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_BIN;
      else process.env.DOCKER_BIN = saved;
    }
  });

  it("falls back to the registry's Docker-Content-Digest (HEAD with the manifest media types)", async function () {
    const bin = await fakeDocker(dir, "", 1, "Error: No such image: x");
    registry = await startStub((req, res) => {
      if (req.path === "/v2/team/app/manifests/v2") {
        res.writeHead(200, { "Docker-Content-Digest": `sha256:${HEX_B}` });
        return res.end();
      }
      sendJson(res, 404, { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] });
    });
    const image = `127.0.0.1:${registry.port}/team/app:v2`;
    expect(await imageDigest(image, { dockerBin: bin })).to.equal(`0x${HEX_B}`);
    const [req] = registry.requests;
    expect(req.method).to.equal("HEAD");
    const accept = String(req.headers.accept);
    for (const type of [
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
    ])
      expect(accept).to.contain(type);
  });

  it("a locally built, never pushed image also falls back to the registry", async function () {
    const bin = await fakeDocker(dir, "[]");
    registry = await startStub((_req, res) => {
      res.writeHead(200, { "Docker-Content-Digest": `sha256:${HEX_C}` });
      res.end();
    });
    expect(await imageDigest(`127.0.0.1:${registry.port}/app:1`, { dockerBin: bin })).to.equal(`0x${HEX_C}`);
  });

  it("does the anonymous Bearer token dance", async function () {
    const bin = await fakeDocker(dir, "", 1, "Error: No such image");
    const token = "anon-token-123";
    registry = await startStub((req, res) => {
      if (req.path === "/token") return sendJson(res, 200, { token });
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401, {
          "WWW-Authenticate": `Bearer realm="http://127.0.0.1:${registry?.port}/token",service="stub-registry",scope="repository:team/app:pull"`,
        });
        return res.end();
      }
      res.writeHead(200, { "Docker-Content-Digest": `sha256:${HEX_A}` });
      res.end();
    });
    expect(await imageDigest(`127.0.0.1:${registry.port}/team/app:1.0`, { dockerBin: bin })).to.equal(
      `0x${HEX_A}`,
    );
    const tokenReq = registry.requests.find((r) => r.path === "/token");
    expect(tokenReq && Object.fromEntries(tokenReq.query)).to.deep.equal({
      service: "stub-registry",
      scope: "repository:team/app:pull",
    });
    expect(registry.requests.map((r) => r.path)).to.deep.equal([
      "/v2/team/app/manifests/1.0",
      "/token",
      "/v2/team/app/manifests/1.0",
    ]);
  });

  it("computes the digest from the manifest when HEAD has no Docker-Content-Digest", async function () {
    const bin = await fakeDocker(dir, "", 1, "Error: No such image");
    const manifest = '{"schemaVersion":2}';
    registry = await startStub((req, res) => {
      res.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json" });
      res.end(req.method === "GET" ? manifest : undefined);
    });
    const { createHash } = await import("node:crypto");
    const expected = `0x${createHash("sha256").update(manifest).digest("hex")}`;
    expect(await imageDigest(`127.0.0.1:${registry.port}/app:1`, { dockerBin: bin })).to.equal(expected);
  });

  it("an image unknown to both names both in a NotFoundError", async function () {
    const bin = await fakeDocker(dir, "", 1, "Error: No such image: team/missing:1");
    registry = await startStub((_req, res) =>
      sendJson(res, 404, { errors: [{ message: "manifest unknown" }] }),
    );
    const image = `127.0.0.1:${registry.port}/team/missing:1`;
    const error = await rejection(imageDigest(image, { dockerBin: bin }));
    expect(error).to.be.instanceOf(NotFoundError);
    expect(error.message).to.contain(image).and.contain("locally").and.contain(registry.url);
  });

  it("an unreachable registry gives ServiceUnavailableError for the Docker registry", async function () {
    const bin = await fakeDocker(dir, "", 1, "Error: No such image");
    const url = await closedPortUrl();
    const host = new URL(url).host;
    const error = await rejection(imageDigest(`${host}/team/app:1`, { dockerBin: bin }));
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).service).to.equal("Docker registry");
    expect(error.message).to.contain(url);
  });
});

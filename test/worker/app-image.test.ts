/** The app image check against the real engine and a local registry: pull, digest check, cache, label. */
import { expect } from "chai";
import { DATASET_UNZIP_LABEL, NETWORK_LABEL, prepareAppImage } from "../../src/worker/app-image";
import { TaskFailure } from "../../src/worker/task-failure";
import {
  buildAppImage,
  dockerCli,
  ensureDockerEngine,
  removeLocalImages,
  startLocalRegistry,
} from "../docker/images";
import type { AppImage, LocalRegistry } from "../docker/images";
import { rejectionOf } from "../rejection";

const OTHER = `0x${"1".repeat(64)}`;

describe("app image @docker", function () {
  let registry: LocalRegistry;
  let plain: AppImage;
  let networked: AppImage;

  before(async function () {
    await ensureDockerEngine();
    registry = await startLocalRegistry();
    plain = await buildAppImage(registry, "image-plain", "echo plain");
    networked = await buildAppImage(registry, "image-net", "echo net", {
      labels: { [NETWORK_LABEL]: "true", [DATASET_UNZIP_LABEL]: "true" },
    });
  });

  after(async function () {
    await registry?.stop();
  });

  it("pulls the image, checks its digest and names what to run by digest; then reuses it without pulling", async function () {
    await removeLocalImages(plain.reference);
    let started = Date.now();
    const first = await prepareAppImage({ multiaddr: plain.reference, checksum: plain.checksum });
    const pullMs = Date.now() - started;
    expect(first).to.deep.equal({
      image: `${plain.reference.replace(/:1$/, "")}@sha256:${plain.checksum.slice(2)}`,
      network: false,
      unzipDataset: false,
      cached: false,
    });
    // The digest reference is present locally, so running it never depends on the tag.
    expect(await dockerCli(["image", "inspect", "--format", "{{.Id}}", first.image])).to.match(/^sha256:/);
    started = Date.now();
    const second = await prepareAppImage({
      multiaddr: plain.reference,
      checksum: plain.checksum.toUpperCase().replace("0X", "0x"),
    });
    const cachedMs = Date.now() - started;
    expect(second).to.deep.equal({ ...first, cached: true });
    console.log(`      pull + check ${pullMs} ms, cached ${cachedMs} ms`);
  });

  it("reads the labels by which an app asks for network and for its dataset extracted", async function () {
    await removeLocalImages(networked.reference);
    expect(
      await prepareAppImage({ multiaddr: networked.reference, checksum: networked.checksum }),
    ).to.include({ network: true, unzipDataset: true, cached: false });
    expect(
      await prepareAppImage({ multiaddr: networked.reference, checksum: networked.checksum }),
    ).to.include({ network: true, unzipDataset: true, cached: true });
  });

  it("refuses a tag moved to another image: APP_CHECKSUM_MISMATCH naming both digests", async function () {
    const v1 = await buildAppImage(registry, "image-moved", "echo v1");
    const v2 = await buildAppImage(registry, "image-moved", "echo v2");
    expect(v2.reference).to.equal(v1.reference);
    expect(v2.checksum).to.not.equal(v1.checksum);
    await removeLocalImages(
      v1.reference,
      `${v1.reference.replace(/:1$/, "")}@sha256:${v1.checksum.slice(2)}`,
    );
    const error = await rejectionOf(
      prepareAppImage({ multiaddr: v1.reference, checksum: v1.checksum }),
      TaskFailure,
    );
    expect(error.failure).to.equal("APP_CHECKSUM_MISMATCH");
    expect(error.detail).to.include(v1.checksum).and.include(v2.checksum);
  });

  it("refuses a pinned digest that is not the checksum, without pulling", async function () {
    // The registry host is closed: a pull would fail with APP_IMAGE_PULL_FAILED instead.
    const error = await rejectionOf(
      prepareAppImage({ multiaddr: `127.0.0.1:1/app@sha256:${"2".repeat(64)}`, checksum: OTHER }),
      TaskFailure,
    );
    expect(error.failure).to.equal("APP_CHECKSUM_MISMATCH");
    expect(error.detail)
      .to.include(`0x${"2".repeat(64)}`)
      .and.include(OTHER);
  });

  it("fails with APP_IMAGE_PULL_FAILED when the image cannot be pulled", async function () {
    const error = await rejectionOf(
      prepareAppImage({ multiaddr: `${registry.host}/image-plain:missing`, checksum: OTHER }),
      TaskFailure,
    );
    expect(error.failure).to.equal("APP_IMAGE_PULL_FAILED");
    expect(error.detail).to.include(`${registry.host}/image-plain:missing`);
  });

  it("fails with APP_IMAGE_PULL_FAILED when the multiaddr is not an image reference", async function () {
    for (const multiaddr of ["https://example.com/app.zip", "", "/ipfs/QmHash", "Bad Name"]) {
      const error = await rejectionOf(prepareAppImage({ multiaddr, checksum: plain.checksum }), TaskFailure);
      expect(error.failure, multiaddr).to.equal("APP_IMAGE_PULL_FAILED");
      expect(error.detail).to.include("not a Docker image reference");
    }
  });
});

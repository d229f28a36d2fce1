/**
 * Makes the app's image ready to run: pulls the image its multiaddr names and checks that what the tag
 * now points at is the image registered on chain (its checksum), so a moved tag cannot swap the app.
 * What runs is then named by its digest.
 */
import { digestToChecksum, isDockerDigest, parseImageReference } from "../sdk/node/docker";
import type { ImageReference } from "../sdk/node/docker";
import { docker } from "./container";
import { TaskFailure } from "./task-failure";

/** The label an app's image carries to say it needs a network. */
export const NETWORK_LABEL = "org.openpoco.network";
/** Image label by which an app asks for its dataset archive extracted into /iexec_in/dataset. */
export const DATASET_UNZIP_LABEL = "org.openpoco.dataset-unzip";

export interface AppImageOptions {
  /** Milliseconds a pull may take; 10 minutes by default. */
  pullTimeoutMs?: number;
  /** Reuse an image already present under its digest instead of pulling; true by default. */
  cache?: boolean;
}

export interface PreparedImage {
  /** What to run: `<repository>@sha256:<checksum hex>`. */
  image: string;
  /** True when the image has the label org.openpoco.network=true. */
  network: boolean;
  /** True when the image has the label org.openpoco.dataset-unzip=true: it wants its dataset extracted. */
  unzipDataset: boolean;
  /** True when the image was present under its digest and no pull happened. */
  cached: boolean;
}

const DEFAULT_PULL_TIMEOUT_MS = 10 * 60_000;

function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** RepoDigests and labels of a local image, or undefined when the engine does not have it. */
async function inspect(
  image: string,
): Promise<{ repoDigests: string[]; labels: Record<string, string> } | undefined> {
  const result = await docker([
    "image",
    "inspect",
    "--format",
    "{{json .RepoDigests}}\t{{json .Config.Labels}}",
    image,
  ]);
  if (result.code !== 0) return undefined;
  const [digests, labels] = result.stdout.trim().split("\t");
  return {
    repoDigests: (JSON.parse(digests) as string[] | null) ?? [],
    labels: (JSON.parse(labels) as Record<string, string> | null) ?? {},
  };
}

/** The checksums ("0x"...) of the repository `ref` among an image's RepoDigests. */
function repositoryChecksums(ref: ImageReference, repoDigests: string[]): string[] {
  const checksums: string[] = [];
  for (const entry of repoDigests) {
    try {
      const parsed = parseImageReference(entry);
      if (parsed.digest && parsed.registry === ref.registry && parsed.repository === ref.repository)
        checksums.push(digestToChecksum(parsed.digest));
    } catch {
      // Not a reference we can read: not ours.
    }
  }
  return checksums;
}

/**
 * Pulls the app's image and checks it against the on-chain checksum.
 * @throws TaskFailure APP_IMAGE_PULL_FAILED (not an image reference, pull failed) or APP_CHECKSUM_MISMATCH
 */
export async function prepareAppImage(
  app: { multiaddr: string; checksum: string },
  options: AppImageOptions = {},
): Promise<PreparedImage> {
  let ref: ImageReference;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(app.multiaddr.trim())) throw new Error("a URL");
    ref = parseImageReference(app.multiaddr);
  } catch {
    throw new TaskFailure(
      "APP_IMAGE_PULL_FAILED",
      `The app multiaddr ${JSON.stringify(app.multiaddr)} is not a Docker image reference (host/name:tag or name@sha256:...).`,
    );
  }
  if (!isDockerDigest(app.checksum))
    throw new TaskFailure(
      "APP_CHECKSUM_MISMATCH",
      `The app checksum ${JSON.stringify(app.checksum)} is not 0x and 64 hex digits, so no image can match it.`,
    );
  const checksum = app.checksum.toLowerCase();
  const pinned = ref.digest ? digestToChecksum(ref.digest) : undefined;
  if (pinned !== undefined && pinned !== checksum)
    throw new TaskFailure(
      "APP_CHECKSUM_MISMATCH",
      `The app multiaddr pins digest ${pinned} but the on-chain checksum is ${checksum}.`,
    );
  const image = `${repositoryName(ref)}@sha256:${checksum.slice(2)}`;
  const declared = (labels: Record<string, string>) => ({
    network: labels[NETWORK_LABEL] === "true",
    unzipDataset: labels[DATASET_UNZIP_LABEL] === "true",
  });

  // Content-addressed: an image present under this digest is the registered one, nothing to verify.
  if (options.cache !== false) {
    const local = await inspect(image);
    if (local) return { image, ...declared(local.labels), cached: true };
  }

  const pulled = await docker(
    ["pull", app.multiaddr.trim()],
    options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
  );
  if (pulled.code !== 0)
    throw new TaskFailure(
      "APP_IMAGE_PULL_FAILED",
      `Cannot pull ${app.multiaddr}: ${pulled.stderr.trim().split("\n").slice(-2).join(" ") || `docker exit ${pulled.code}`}.`,
    );
  // `docker pull` prints what the tag resolved to; RepoDigests is the fallback for other CLIs' wording.
  const printed = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(pulled.stdout)?.[1];
  const local = await inspect(app.multiaddr.trim());
  const found = printed ? [digestToChecksum(printed)] : repositoryChecksums(ref, local?.repoDigests ?? []);
  if (!found.includes(checksum))
    throw new TaskFailure(
      "APP_CHECKSUM_MISMATCH",
      `The image ${app.multiaddr} has digest ${found.join(", ") || "(none)"} but the on-chain checksum is ${checksum}.`,
    );
  return { image, ...declared(local?.labels ?? {}), cached: false };
}

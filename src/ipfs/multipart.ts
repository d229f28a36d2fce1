/**
 * A streaming reader of the `multipart/form-data` body of kubo's `add`, for one file: the part's bytes
 * are yielded as they arrive, never held whole. Only what kubo-rpc-client and curl send is needed: a
 * boundary, part headers, the content, the closing boundary.
 */
import { InvalidInputError } from "../sdk/core/errors";
import { ByteReader } from "./byte-reader";

/** Largest header block of a part. */
const MAX_PART_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADER_END = Buffer.from("\r\n\r\n");

/** The file part of an add. */
export interface MultipartFile {
  /** The part's `filename` (URL-decoded as kubo-rpc-client encodes it), or "". */
  filename: string;
  /** The file's bytes, streamed; iterating it to the end also checks that no other part follows. */
  content: AsyncGenerator<Buffer>;
}

/** The boundary of a `multipart/form-data` Content-Type; throws InvalidInputError without one. */
export function multipartBoundary(contentType: string | undefined): string {
  const match = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? "");
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary || boundary.length > 200)
    throw new InvalidInputError(
      'Send the file as multipart/form-data with a boundary (curl -F "file=@FILE"), as kubo expects.',
    );
  return boundary;
}

function filenameOf(headers: string): string {
  const disposition = headers.split("\r\n").find((line) => /^content-disposition\s*:/i.test(line)) ?? "";
  const match = /\bfilename="([^"]*)"/i.exec(disposition);
  if (!match) return "";
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * Opens the first part of a multipart body. Its content must be read to the end before anything else
 * of the body; a body with a second part is refused when the first one ends (one file per add).
 */
export async function openFilePart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
): Promise<MultipartFile> {
  const reader = new ByteReader(body);
  const dashBoundary = Buffer.from(`--${boundary}`);
  // Anything before the first boundary is a preamble, ignored.
  for await (const preamble of reader.until(dashBoundary, "the first multipart boundary")) void preamble;
  const after = await reader.take(2);
  if (!after.equals(CRLF)) throw new InvalidInputError("The multipart body has no file part: send one file.");
  const headers = (
    await reader.readUntil(HEADER_END, "the end of the part headers", MAX_PART_HEADER_BYTES)
  ).toString("utf8");
  if (/^content-type\s*:\s*application\/x-directory/im.test(headers))
    throw new InvalidInputError("Directories cannot be added to this node: add one file.");

  async function* content(): AsyncGenerator<Buffer> {
    yield* reader.until(Buffer.concat([CRLF, dashBoundary]), "the end of the file part");
    const next = await reader.take(2);
    if (next.toString() !== "--")
      throw new InvalidInputError("The add has more than one part: this node adds one file per request.");
  }
  return { filename: filenameOf(headers), content: content() };
}

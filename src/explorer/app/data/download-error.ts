/** Refused or failed download, with a sentence for the page (never the store's raw answer alone). */
export class ResultDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ResultDownloadError";
  }
}

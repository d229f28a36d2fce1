/** How the long-running services (market watcher, scheduler, worker) report what they do. */

/** A service's log: the CLI prints it with timestamps, tests silence it or collect it. */
export interface ServiceLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

/** Errors and warnings on the console, no info: the default of a service started from code. */
export const CONSOLE_LOGGER: ServiceLogger = {
  info: () => undefined,
  warn: (message) => console.warn(message),
  error: (message, error) => console.error(message, error ?? ""),
};

/** Nothing at all. */
export const SILENT_LOGGER: ServiceLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Services started by a supervisor (the local stack) get its pid in OPENPOCO_PARENT_PID and stop
 * themselves once it is gone, so a killed stack leaves no process holding its ports.
 */

/** Resolves when the process named by OPENPOCO_PARENT_PID has exited; never when the variable is unset. */
export function parentGone(env: NodeJS.ProcessEnv = process.env, intervalMs = 1000): Promise<void> {
  const pid = Number(env.OPENPOCO_PARENT_PID);
  if (!Number.isSafeInteger(pid) || pid <= 0) return new Promise<void>(() => undefined);
  return new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(timer);
        resolve();
      }
    }, intervalMs);
    // Never what keeps a process alive: once the service has stopped, it may exit.
    timer.unref();
  });
}

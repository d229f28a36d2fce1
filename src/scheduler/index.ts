/** The workerpool scheduler: the running service and its parts (store, planner, desk, chain sync, server). */
export { SchedulerApp, type SchedulerOptions } from "./app";
export { ChainSync, type ChainSyncOptions } from "./chain-sync";
export { WorkerDesk, DEFAULT_DESK_TIMINGS, type DeskOptions, type DeskTimings } from "./desk";
export { NotWorkerpoolOwnerError } from "./errors";
export * from "./planner";
export {
  buildSchedulerServer,
  SCHEDULER_VERSION,
  type SchedulerServerOptions,
  type StatusSource,
} from "./server";
export * from "./store";

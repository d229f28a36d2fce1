/** One task: its status timeline, deadlines, contributions, consensus and result. */
import {
  ContributionStatus,
  TaskStatus,
  type ContributionInfo,
  type TaskInfo,
} from "../../../sdk/core/index";
import { Addr, Fields, IdLink, Mono, StatusBadge, Table, TagView } from "../components/bits";
import { ErrorBox, Show } from "../components/status";
import { isNotFound } from "../data/errors";
import { date, isoDate, relative, resultLink } from "../format";
import type { ChainReader } from "../data/chain";
import type { Diagnosis } from "../data/workerpool";
import { DiagnosisView, appErrorText } from "../components/diagnosis";
import { ResultDownload } from "../components/result";
import { IpfsResultDownload } from "../components/ipfs-result";
import { ipfsResultPath } from "../data/ipfs-result";
import { useLoad } from "../hooks";
import { useServices } from "../services";
import { useState } from "preact/hooks";
import { ActionButton } from "../components/action";

const ZERO_HASH = /^0x0{64}$/;

type ChainTimes = Awaited<ReturnType<ChainReader["taskTimes"]>>;

/** A time with the clock it comes from. */
function At({ time, clock }: { time: string; clock: "chain time" | "workerpool time" }) {
  return (
    <span class="at">
      {" "}
      · {time} <span class="clock">{clock}</span>
    </span>
  );
}

/** The steps of a task's life, each reached one with its time (chain), then the workerpool's own steps. */
function Timeline({
  task,
  times,
  now,
  diagnosis,
}: {
  task: TaskInfo;
  times: ChainTimes;
  now: bigint;
  diagnosis: Diagnosis | undefined;
}) {
  const failed = task.status === TaskStatus.FAILED;
  const pool = diagnosis?.state === "ok" ? diagnosis.task : undefined;
  const completed = task.status === TaskStatus.COMPLETED;
  // The chain alone cannot tell a result from the app's error.json: only the workerpool's word can.
  const completedNote = pool?.appError
    ? `completed with an app error: ${appErrorText(pool.appError)}`
    : completed
      ? pool
        ? "finalized with a result"
        : "finalized"
      : pool?.failure
        ? "will not be reached: the workerpool gave up (see above)"
        : "finalized once the workers agree";
  const steps: { name: string; done: boolean; at?: bigint; note?: string }[] = [
    {
      name: "ACTIVE",
      done: task.status >= TaskStatus.ACTIVE,
      at: times.ACTIVE,
      note: "initialized by the workerpool",
    },
    {
      name: "REVEALING",
      done: !failed && task.status >= TaskStatus.REVEALING,
      at: times.REVEALING,
      note: "consensus reached, winners reveal",
    },
    failed
      ? { name: "FAILED", done: true, at: times.FAILED, note: "claimed after the final deadline" }
      : {
          name: "COMPLETED",
          done: completed,
          at: times.COMPLETED ?? (task.resultsTimestamp || undefined),
          note: completedNote,
        },
  ];
  return (
    <>
      <ol class="timeline" data-testid="timeline">
        {steps.map((step) => (
          <li key={step.name} class={step.done ? "done" : "todo"} data-status={step.name}>
            <strong>{step.name}</strong> <span class="muted">{step.note}</span>
            {step.done && step.at !== undefined && <At time={date(step.at)} clock="chain time" />}
          </li>
        ))}
        {task.claimable && (
          <li class="todo">
            Claimable: the final deadline passed ({relative(task.finalDeadline, now)}, chain time).
          </li>
        )}
      </ol>
      {pool && pool.dateStatusList.length > 0 && (
        <>
          <h3>At the workerpool</h3>
          <ol class="timeline" data-testid="pool-timeline">
            {pool.dateStatusList.map((change) => (
              <li key={change.status + change.date} class="done" data-status={change.status}>
                <strong>{change.status}</strong>
                <At time={isoDate(change.date)} clock="workerpool time" />
              </li>
            ))}
          </ol>
        </>
      )}
    </>
  );
}

/** A deadline: its date (chain time) and, while the task may still move, how far it is. */
function deadline(at: bigint, now: bigint, finished: boolean): string {
  return finished ? `${date(at)} (chain time)` : `${date(at)} (${relative(at, now)}, chain time)`;
}

function Contributions({ task, contributions }: { task: TaskInfo; contributions: ContributionInfo[] }) {
  if (task.contributors.length === 0) return <p class="empty">No contribution yet.</p>;
  return (
    <Table head={["worker", "status", "result hash", "weight"]}>
      {task.contributors.map((worker, i) => (
        <tr key={worker}>
          <td>
            <Addr address={worker} />
          </td>
          <td>{ContributionStatus[contributions[i].status]}</td>
          <td class="mono" title={contributions[i].resultHash}>
            {contributions[i].resultHash.slice(0, 18)}…
          </td>
          <td class="num">2^{contributions[i].weight.toString()}</td>
        </tr>
      ))}
    </Table>
  );
}

export function TaskPage({ taskid }: { taskid: string }) {
  const { chain, config, workerpools } = useServices();
  const [version, setVersion] = useState(0);
  const loaded = useLoad(
    async (report) => {
      report("Reading the task from the chain…", 0.3);
      const [task, now] = await Promise.all([chain.task(taskid), chain.now()]);
      report("Reading the deal, the contributions and the task's history…", 0.7);
      const [deal, contributions, times] = await Promise.all([
        chain.deal(task.dealid),
        chain.contributions(taskid, task.contributors),
        chain.taskTimes(taskid),
      ]);
      return { task, deal, now, contributions, times };
    },
    [taskid, version],
  );
  // The workerpool's word comes apart: a slow or absent workerpool API never holds the chain's view back.
  const workerpool = loaded.state === "done" ? loaded.value.deal.workerpool.pointer : undefined;
  const diagnosed = useLoad(
    async () => (workerpool ? workerpools.diagnose(workerpool, taskid) : undefined),
    [workerpool, taskid, version],
  );
  const diagnosis = diagnosed.state === "done" ? diagnosed.value : undefined;
  return (
    <>
      <h1>Task</h1>
      <p class="mono wrap" data-testid="taskid">
        {taskid}
      </p>
      {loaded.state === "error" && isNotFound(loaded.error) ? (
        <ErrorBox error={loaded.error} title="Not found" />
      ) : (
        <Show
          loaded={loaded}
          title="Task"
          render={({ task, deal, now, contributions, times }) => {
            const ipfsPath = ipfsResultPath(task.resultsText);
            const link = resultLink(task.resultsText, config.resultProxy);
            const finished = task.status === TaskStatus.COMPLETED || task.status === TaskStatus.FAILED;
            return (
              <>
                <Fields
                  rows={[
                    ["status", <StatusBadge status={task.status} />],
                    ["deal", <IdLink id={task.dealid} kind="deal" full />],
                    ["tag", <TagView tag={deal.tag} chainId={config.chainId} />],
                    ["index", task.idx.toString()],
                    ["contribution deadline", deadline(task.contributionDeadline, now, finished)],
                    [
                      "reveal deadline",
                      ZERO_HASH.test(task.consensusValue) || !task.revealDeadline
                        ? "—"
                        : deadline(task.revealDeadline, now, finished),
                    ],
                    ["final deadline", deadline(task.finalDeadline, now, finished)],
                    [
                      "consensus value",
                      ZERO_HASH.test(task.consensusValue) ? "none yet" : <Mono>{task.consensusValue}</Mono>,
                    ],
                    [
                      "result digest",
                      ZERO_HASH.test(task.resultDigest) ? "none yet" : <Mono>{task.resultDigest}</Mono>,
                    ],
                    ["reveals / winners", `${task.revealCounter} / ${task.winnerCounter}`],
                    [
                      "result",
                      ipfsPath && task.status === TaskStatus.COMPLETED ? (
                        <IpfsResultDownload
                          taskid={task.taskid}
                          ipfsPath={ipfsPath}
                          resultDigest={task.resultDigest}
                        />
                      ) : link ? (
                        <ResultDownload
                          taskid={task.taskid}
                          location={link}
                          requester={deal.requester}
                          beneficiary={deal.beneficiary}
                        />
                      ) : task.resultsText ? (
                        <Mono>{task.resultsText}</Mono>
                      ) : (
                        "none yet"
                      ),
                    ],
                  ]}
                />
                {task.claimable && (
                  <p class="claim">
                    The final deadline passed without a result: a claim fails the task and refunds the
                    requester.{" "}
                    <ActionButton
                      label="Claim this task"
                      send={(wallet) => wallet.poco.work.claim([task.taskid])}
                      onDone={() => setVersion((v) => v + 1)}
                    />
                  </p>
                )}
                {diagnosed.state === "loading" ? (
                  <p class="muted">Asking the workerpool…</p>
                ) : (
                  diagnosis && <DiagnosisView diagnosis={diagnosis} />
                )}
                <h2>Timeline</h2>
                <Timeline task={task} times={times} now={now} diagnosis={diagnosis} />
                <h2>Contributions</h2>
                <Contributions task={task} contributions={contributions} />
              </>
            );
          }}
        />
      )}
    </>
  );
}

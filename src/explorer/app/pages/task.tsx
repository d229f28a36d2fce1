/** One task: its status timeline, deadlines, contributions, consensus and result. */
import {
  ContributionStatus,
  TaskStatus,
  type ContributionInfo,
  type TaskInfo,
} from "../../../sdk/core/index";
import { Addr, Fields, IdLink, Mono, StatusBadge, Table } from "../components/bits";
import { ErrorBox, Show } from "../components/status";
import { isNotFound } from "../data/errors";
import { date, relative, resultLink } from "../format";
import { useLoad } from "../hooks";
import { useServices } from "../services";
import { useState } from "preact/hooks";
import { ActionButton } from "../components/action";

const ZERO_HASH = /^0x0{64}$/;

/** The steps of a task's life, the ones reached marked done. */
function Timeline({ task, now }: { task: TaskInfo; now: bigint }) {
  const failed = task.status === TaskStatus.FAILED;
  const steps: { name: string; done: boolean; at?: string; note?: string }[] = [
    { name: "ACTIVE", done: task.status >= TaskStatus.ACTIVE, note: "initialized by the workerpool" },
    {
      name: "REVEALING",
      done: !failed && task.status >= TaskStatus.REVEALING,
      note: "consensus reached, winners reveal",
    },
    failed
      ? { name: "FAILED", done: true, note: "claimed after the final deadline" }
      : {
          name: "COMPLETED",
          done: task.status === TaskStatus.COMPLETED,
          at: task.resultsTimestamp ? date(task.resultsTimestamp) : undefined,
          note: "finalized with a result",
        },
  ];
  return (
    <ol class="timeline">
      {steps.map((step) => (
        <li key={step.name} class={step.done ? "done" : "todo"}>
          <strong>{step.name}</strong> <span class="muted">{step.note}</span>
          {step.at && <span> · {step.at}</span>}
        </li>
      ))}
      {task.claimable && (
        <li class="todo">Claimable: the final deadline passed ({relative(task.finalDeadline, now)}).</li>
      )}
    </ol>
  );
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
  const { chain, config } = useServices();
  const [version, setVersion] = useState(0);
  const loaded = useLoad(
    async (report) => {
      report("Reading the task from the chain…", 0.3);
      const [task, now] = await Promise.all([chain.task(taskid), chain.now()]);
      report("Reading the contributions…", 0.7);
      const contributions = await chain.contributions(taskid, task.contributors);
      return { task, now, contributions };
    },
    [taskid, version],
  );
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
          render={({ task, now, contributions }) => {
            const link = resultLink(task.resultsText, config.resultProxy);
            return (
              <>
                <Fields
                  rows={[
                    ["status", <StatusBadge status={task.status} />],
                    ["deal", <IdLink id={task.dealid} kind="deal" full />],
                    ["index", task.idx.toString()],
                    [
                      "contribution deadline",
                      `${date(task.contributionDeadline)} (${relative(task.contributionDeadline, now)})`,
                    ],
                    [
                      "reveal deadline",
                      ZERO_HASH.test(task.consensusValue) || !task.revealDeadline
                        ? "—"
                        : `${date(task.revealDeadline)} (${relative(task.revealDeadline, now)})`,
                    ],
                    ["final deadline", `${date(task.finalDeadline)} (${relative(task.finalDeadline, now)})`],
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
                      link ? (
                        <a
                          class="result-link mono wrap"
                          href={link}
                          rel="noopener noreferrer"
                          target="_blank"
                        >
                          {link}
                        </a>
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
                <h2>Timeline</h2>
                <Timeline task={task} now={now} />
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

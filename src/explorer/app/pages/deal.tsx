/** One deal: the orders matched, prices, volume, and the status of each task (paged). */
import type { ComponentChildren } from "preact";
import { TaskStatus, type DealView } from "../../../sdk/core/index";
import { useState } from "preact/hooks";
import { ActionButton } from "../components/action";
import { Addr, Fields, IdLink, Mono, Pager, StatusBadge, Table, TagView } from "../components/bits";
import { Empty, ErrorBox, Show } from "../components/status";
import type { TaskRow } from "../data/chain";
import { isNotFound } from "../data/errors";
import type { MarketDeal } from "../../../sdk/core/index";
import { bytesText, date, duration, resultLink, rlc } from "../format";
import { useLoad } from "../hooks";
import { href } from "../router";
import { useServices } from "../services";
import { outcomeOf } from "../components/diagnosis";
import type { Diagnosis } from "../data/workerpool";

const TASKS_PER_PAGE = 20;

/** What the workerpool says of a task, in one line (its failure, its app error), or a quiet dash. */
function PoolWord({ diagnosis }: { diagnosis: Diagnosis | undefined }) {
  if (!diagnosis) return <span class="muted">…</span>;
  if (diagnosis.state !== "ok")
    return (
      <span class="muted" title={"message" in diagnosis ? diagnosis.message : undefined}>
        {diagnosis.state === "unreachable" ? "workerpool API unreachable" : "—"}
      </span>
    );
  const outcome = outcomeOf(diagnosis.task);
  return (
    <span class={diagnosis.task.failure || diagnosis.task.appError ? "bad" : undefined}>
      {outcome ?? diagnosis.task.currentStatus}
    </span>
  );
}

function Tasks({ deal, tasks, page }: { deal: DealView; tasks: TaskRow[]; page: number }) {
  const { config, workerpools } = useServices();
  // Each task's diagnosis, read apart from the chain's view so that a silent workerpool slows nothing.
  const diagnosed = useLoad(
    async () =>
      config.compass
        ? Promise.all(tasks.map((task) => workerpools.diagnose(deal.workerpool.pointer, task.taskid)))
        : undefined,
    [deal.dealid, tasks.map((task) => task.taskid).join()],
  );
  const diagnoses = diagnosed.state === "done" ? diagnosed.value : undefined;
  const head = config.compass
    ? ["#", "task", "status", "workerpool says", "result"]
    : ["#", "task", "status", "result"];
  return (
    <>
      <Table head={head}>
        {tasks.map((task, i) => {
          const link = resultLink(bytesText(task.results), config.resultProxy, config.ipfsGateway);
          return (
            <tr key={task.taskid} data-taskid={task.taskid}>
              <td class="num">{task.idx.toString()}</td>
              <td>
                <IdLink id={task.taskid} kind="task" />
              </td>
              <td>
                <StatusBadge status={task.status} />
              </td>
              {config.compass && (
                <td data-testid="pool-word">
                  <PoolWord diagnosis={diagnoses?.[i]} />
                </td>
              )}
              <td>
                {link ? (
                  // The store serves only the requester and beneficiary, with a signature, and an IPFS
                  // result is checked before it is saved: the task page downloads either.
                  <a class="result-link" href={href("task", task.taskid)} title={link}>
                    result
                  </a>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
            </tr>
          );
        })}
      </Table>
      <Pager
        base={href("deal", deal.dealid)}
        page={page}
        count={Number(deal.botSize)}
        size={TASKS_PER_PAGE}
      />
    </>
  );
}

function Orders({ record }: { record?: MarketDeal }) {
  if (!record) return <Empty>The market has no record of this deal's orders.</Empty>;
  const rows: [string, ComponentChildren][] = [
    ["app order", record.appHash ? <Mono>{record.appHash}</Mono> : "—"],
    ["dataset order", record.datasetHash ? <Mono>{record.datasetHash}</Mono> : "—"],
    ["workerpool order", record.workerpoolHash ? <Mono>{record.workerpoolHash}</Mono> : "—"],
    ["request order", record.requestHash ? <Mono>{record.requestHash}</Mono> : "—"],
    ["transaction", record.transactionHash ? <Mono>{record.transactionHash}</Mono> : "—"],
    ["block", record.blockNumber !== undefined ? String(record.blockNumber) : "—"],
  ];
  return <Fields rows={rows} />;
}

export function DealPage({ dealid, page }: { dealid: string; page: number }) {
  const { chain, config, market } = useServices();
  const [version, setVersion] = useState(0);
  const from = page * TASKS_PER_PAGE;
  const loaded = useLoad(
    async (report) => {
      report("Reading the deal from the chain and the market…", 0.2);
      const record = market.deal(dealid).then(
        (value) => ({ value, error: undefined as unknown }),
        (error: unknown) => ({ value: undefined, error }),
      );
      // The market's record gives the bag of tasks at once: their reads need not wait for the deal's.
      const early = record.then(({ value }) =>
        value ? chain.dealTasks(value, from, from + TASKS_PER_PAGE).catch(() => undefined) : undefined,
      );
      const [deal, now] = await Promise.all([chain.deal(dealid), chain.now()]);
      report("Reading the tasks…", 0.6);
      const known = (await record).value;
      const tasks =
        known && known.botFirst === deal.botFirst && known.botSize === deal.botSize ? await early : undefined;
      return {
        deal,
        now,
        record: await record,
        tasks: tasks ?? (await chain.dealTasks(deal, from, from + TASKS_PER_PAGE)),
      };
    },
    [dealid, page, version],
  );
  if (loaded.state === "error" && isNotFound(loaded.error))
    return (
      <>
        <h1>Deal</h1>
        <p class="mono wrap">{dealid}</p>
        <ErrorBox error={loaded.error} title="Not found" />
      </>
    );
  return (
    <>
      <h1>Deal</h1>
      <p class="mono wrap" data-testid="dealid">
        {dealid}
      </p>
      <Show
        loaded={loaded}
        title="Deal"
        render={({ deal, now, record, tasks }) => (
          <>
            <Fields
              rows={[
                ["app", <Addr address={deal.app.pointer} kind="app" full />],
                ["app price", rlc(deal.app.price)],
                ["dataset", <Addr address={deal.dataset.pointer} kind="dataset" full />],
                ["dataset price", rlc(deal.dataset.price)],
                ["workerpool", <Addr address={deal.workerpool.pointer} kind="workerpool" full />],
                ["workerpool price", rlc(deal.workerpool.price)],
                ["price per task", rlc(deal.app.price + deal.dataset.price + deal.workerpool.price)],
                ["volume", `${deal.botSize} task(s), from #${deal.botFirst}`],
                ["requester", <Addr address={deal.requester} full />],
                ["beneficiary", <Addr address={deal.beneficiary} full />],
                ["category", <a href="#/categories">{`${deal.category} (${duration(deal.timeref)})`}</a>],
                ["trust", deal.trust.toString()],
                ["tag", <TagView tag={deal.tag} chainId={config.chainId} />],
                ["params", deal.params ? <Mono>{deal.params}</Mono> : "—"],
                ["started", `${date(deal.startTime)} (chain time)`],
                ["final deadline", `${date(deal.finalDeadline)} (chain time)`],
                ["worker stake", rlc(deal.workerStake)],
                ["scheduler reward", `${deal.schedulerRewardRatio}%`],
              ]}
            />
            <h2>Tasks</h2>
            {now >= deal.finalDeadline && tasks.some((task) => task.status < TaskStatus.COMPLETED) && (
              <p class="claim">
                The deal's final deadline passed with tasks unfinished: a claim fails them and refunds the
                requester.{" "}
                <ActionButton
                  label="Claim expired tasks"
                  send={(wallet) => wallet.poco.deals.claim(deal.dealid)}
                  onDone={() => setVersion((v) => v + 1)}
                />
              </p>
            )}
            <Tasks deal={deal} tasks={tasks} page={page} />
            <h2>Orders matched</h2>
            {record.error !== undefined ? (
              <ErrorBox error={record.error} title="Market" />
            ) : (
              <Orders record={record.value} />
            )}
          </>
        )}
      />
    </>
  );
}

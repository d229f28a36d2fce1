/**
 * The mutants of `npm run mutate:contracts` (scripts/mutate-contracts.ts): each one a small fault in the hub's money,
 * matching, consensus and storage-packing code that some test must notice.
 *
 * `original` must occur exactly once in `file` (the runner refuses to start otherwise, naming the mutant): keep it
 * short but unique, and prefer code that does not move. `tests` are the test files that matter for the mutant (run
 * with --bail); `grep` narrows them to the tests whose full title contains it. A mutant that no test can kill is
 * listed with `equivalent`: why it behaves exactly as the original.
 */
export interface Mutant {
  id: string;
  file: string;
  original: string;
  replacement: string;
  description: string;
  tests: string[];
  grep?: string;
  equivalent?: string;
}

const ESCROW = "contracts/hub/libs/Escrow.sol";
const SRLC = "contracts/hub/facets/SRLCFacet.sol";
const SETTLEMENT = "contracts/hub/libs/Settlement.sol";
const CONSENSUS = "contracts/hub/libs/Consensus.sol";
const DEALS = "contracts/hub/libs/Deals.sol";
const TASKS = "contracts/hub/libs/Tasks.sol";
const SIGNATURES = "contracts/hub/libs/Signatures.sol";
const MATCHING = "contracts/hub/facets/MatchingFacet.sol";
const FINALIZE = "contracts/hub/facets/FinalizeFacet.sol";

const T = {
  srlc: "test/hub/srlc.test.ts",
  escrow: "test/hub/escrow.test.ts",
  lifecycle: "test/tasks/lifecycle.test.ts",
  settlement: "test/tasks/settlement.test.ts",
  consensus: "test/tasks/consensus.test.ts",
  match: "test/matching/match.test.ts",
  badMatch: "test/matching/bad-input.test.ts",
  compatibility: "test/matching/dataset-compatibility.test.ts",
  signatures: "test/signatures/signatures.test.ts",
};

export const MUTANTS: Mutant[] = [
  // ---------------------------------------------------------------- Escrow: the ledger
  {
    id: "escrow-transfer-frozen",
    file: ESCROW,
    original: "uint256 balance = source.balance;",
    replacement: "uint256 balance = uint256(source.balance) + source.frozen;",
    description: "transfer counts frozen SRLC as spendable",
    tests: [T.srlc],
  },
  {
    id: "escrow-transfer-le",
    file: ESCROW,
    original: "source.balance;\n        if (balance < amount)",
    replacement: "source.balance;\n        if (balance <= amount)",
    description: "transfer refuses to move the whole free balance (< becomes <=)",
    tests: [T.srlc],
  },
  {
    id: "escrow-burn-le",
    file: ESCROW,
    original: "account.balance;\n        if (balance < amount)",
    replacement: "account.balance;\n        if (balance <= amount)",
    description: "withdraw refuses the whole free balance (< becomes <=)",
    tests: [T.escrow],
  },
  {
    id: "escrow-lock-le",
    file: ESCROW,
    original: "stored.balance;\n        if (balance < amount)",
    replacement: "stored.balance;\n        if (balance <= amount)",
    description: "a lock refuses the whole free balance (< becomes <=)",
    tests: [T.match],
  },
  {
    id: "escrow-lock-not-frozen",
    file: ESCROW,
    original: "stored.frozen += uint128(amount);",
    replacement: "",
    description: "a lock debits the balance without freezing the amount",
    tests: [T.match],
  },
  {
    id: "escrow-unlock-not-credited",
    file: ESCROW,
    original: "stored.balance += uint128(amount);",
    replacement: "",
    description: "an unlock takes the frozen amount without crediting the balance",
    tests: [T.lifecycle],
  },
  {
    id: "escrow-seize-balance",
    file: ESCROW,
    original: "HubStorage.layout().accounts[account].frozen -= SafeCast.toUint128(amount);",
    replacement: "HubStorage.layout().accounts[account].balance -= SafeCast.toUint128(amount);",
    description: "seize takes free SRLC instead of frozen SRLC",
    tests: [T.lifecycle],
  },
  {
    id: "escrow-stake-not-returned",
    file: ESCROW,
    original: "SafeCast.toUint128(unlocked + rewarded)",
    replacement: "SafeCast.toUint128(rewarded)",
    description: "unlockAndReward pays the reward but keeps the unlocked stake",
    tests: [T.lifecycle],
  },
  {
    id: "escrow-kitty-free",
    file: ESCROW,
    original: "HubStorage.layout().accounts[account].frozen += SafeCast.toUint128(amount);",
    replacement: "HubStorage.layout().accounts[account].balance += SafeCast.toUint128(amount);",
    description: "rewardLocked credits the kitty's free balance instead of its frozen one",
    tests: [T.lifecycle],
  },
  {
    id: "escrow-allowance-le",
    file: ESCROW,
    original: "if (current < amount)",
    replacement: "if (current <= amount)",
    description: "transferFrom refuses to spend the whole allowance (< becomes <=)",
    tests: [T.srlc],
  },
  {
    id: "escrow-allowance-infinite-spent",
    file: ESCROW,
    original: "if (current == type(uint256).max) return;",
    replacement: "",
    description: "an infinite allowance is consumed like a finite one",
    tests: [T.srlc],
  },
  // ---------------------------------------------------------------- SRLCFacet: the ERC-20 view
  {
    id: "srlc-transferfrom-no-allowance",
    file: SRLC,
    original: "Escrow.spendAllowance(from, msg.sender, amount);",
    replacement: "",
    description: "transferFrom needs no allowance",
    tests: [T.srlc],
  },
  {
    id: "srlc-transfer-unfreezes",
    file: SRLC,
    original: "Escrow.transfer(msg.sender, to, amount);",
    replacement:
      "uint256 free = HubStorage.layout().accounts[msg.sender].balance;\n" +
      "        if (amount > free) Escrow.unlock(msg.sender, amount - free);\n" +
      "        Escrow.transfer(msg.sender, to, amount);",
    description: "transfer unfreezes what the free balance lacks",
    tests: [T.srlc],
  },
  {
    id: "srlc-transferfrom-unfreezes",
    file: SRLC,
    original: "Escrow.transfer(from, to, amount);",
    replacement:
      "uint256 free = HubStorage.layout().accounts[from].balance;\n" +
      "        if (amount > free) Escrow.unlock(from, amount - free);\n" +
      "        Escrow.transfer(from, to, amount);",
    description: "transferFrom unfreezes what the owner's free balance lacks",
    tests: [T.srlc],
  },
  {
    id: "srlc-balanceof-frozen",
    file: SRLC,
    original: "return HubStorage.layout().accounts[account].balance;",
    replacement:
      "return HubStorage.layout().accounts[account].balance + HubStorage.layout().accounts[account].frozen;",
    description: "balanceOf includes frozen SRLC",
    tests: [T.srlc],
  },
  // ---------------------------------------------------------------- Settlement: who pays whom
  {
    id: "settle-requester-pays",
    file: SETTLEMENT,
    original: "Escrow.seize(deal.sponsor,",
    replacement: "Escrow.seize(deal.requester,",
    description: "finalize takes the task price from the requester, not the sponsor",
    tests: [T.settlement],
  },
  {
    id: "settle-requester-refunded",
    file: SETTLEMENT,
    original: "Escrow.unlock(deal.sponsor,",
    replacement: "Escrow.unlock(deal.requester,",
    description: "claim refunds the requester, not the sponsor",
    tests: [T.settlement],
  },
  {
    id: "settle-app-price-to-dataset-owner",
    file: SETTLEMENT,
    original: "Escrow.reward(deal.app.owner,",
    replacement: "Escrow.reward(deal.dataset.owner,",
    description: "the app price goes to the dataset owner",
    tests: [T.lifecycle],
  },
  {
    id: "settle-price-without-dataset",
    file: SETTLEMENT,
    original: "deal.dataset.price + deal.workerpool.price, taskid",
    replacement: "deal.workerpool.price, taskid",
    description: "finalize seizes the task price less the dataset price",
    tests: [T.lifecycle],
  },
  {
    id: "settle-kitty-floor-as-cap",
    file: SETTLEMENT,
    original: "Math.max((kitty * KITTY_RATIO) / 100, KITTY_MIN)",
    replacement: "Math.min((kitty * KITTY_RATIO) / 100, KITTY_MIN)",
    description: "the kitty's 1 RLC floor becomes a cap",
    tests: [T.lifecycle],
  },
  {
    id: "settle-kitty-uncapped",
    file: SETTLEMENT,
    original: "Math.min(Math.max((kitty * KITTY_RATIO) / 100, KITTY_MIN), kitty)",
    replacement: "Math.max((kitty * KITTY_RATIO) / 100, KITTY_MIN)",
    description: "the kitty's cut is not capped at the kitty",
    tests: [T.settlement],
  },
  {
    id: "settle-claim-stake-unlocked",
    file: SETTLEMENT,
    original:
      "Escrow.seize(deal.workerpool.owner, stake, taskid);\n            Escrow.rewardLocked(KITTY_ADDRESS, stake, taskid);",
    replacement: "Escrow.unlock(deal.workerpool.owner, stake);",
    description: "claim gives the scheduler its stake back instead of sending it to the kitty",
    tests: [T.lifecycle],
  },
  {
    id: "settle-claim-worker-stake-seized",
    file: SETTLEMENT,
    original: "Escrow.unlock(worker, deal.workerStake);",
    replacement: "Escrow.seize(worker, deal.workerStake, taskid);",
    description: "claim seizes the contributors' stakes instead of unlocking them",
    tests: [T.lifecycle],
  },
  {
    id: "settle-losers-stakes-not-pooled",
    file: SETTLEMENT,
    original: "else pool.amount += deal.workerStake;",
    replacement: "",
    description: "the stakes of those who did not prove stay out of the workers' pool",
    tests: [T.lifecycle],
  },
  {
    id: "settle-scheduler-ratio-swapped",
    file: SETTLEMENT,
    original: "(pool.amount * (100 - deal.schedulerRewardRatio)) / 100",
    replacement: "(pool.amount * deal.schedulerRewardRatio) / 100",
    description: "the workers get the scheduler's ratio of the pool",
    tests: [T.lifecycle],
  },
  {
    id: "settle-pay-ignores-weight",
    file: SETTLEMENT,
    original: "(pool.workersShare * head.weight) / pool.proversWeight",
    replacement: "pool.workersShare / pool.proversWeight",
    description: "a prover's pay ignores its weight",
    tests: [T.settlement],
  },
  {
    id: "settle-single-contributor-scored",
    file: SETTLEMENT,
    original: "contributorCount > 1,",
    replacement: "contributorCount > 0,",
    description: "a lone contributor gains a point",
    tests: [T.lifecycle],
  },
  {
    id: "settle-reward-unlocks-unlocked-stake",
    file: SETTLEMENT,
    original: "if (pool.stakesLocked) Escrow.unlockAndReward(",
    replacement: "if (true) Escrow.unlockAndReward(",
    description: "a prover whose stake was never locked (contributeAndFinalize) gets a stake unlocked too",
    tests: [T.settlement],
  },
  {
    id: "instant-contribution-locks-stake",
    file: FINALIZE,
    original: "bool private constant INSTANT_CONTRIBUTION_LOCKS_STAKE = false;",
    replacement: "bool private constant INSTANT_CONTRIBUTION_LOCKS_STAKE = true;",
    description: "contributeAndFinalize locks a worker stake, which the reference does not ask",
    tests: [T.settlement, T.lifecycle],
  },
  {
    id: "settle-faulty-score-kept",
    file: SETTLEMENT,
    original: "scores[worker] = (scores[worker] * 2) / 3;",
    replacement: "",
    description: "a faulty contributor keeps its score",
    tests: [T.settlement],
  },
  // ---------------------------------------------------------------- Consensus
  {
    id: "consensus-no-trust1-shortcut",
    file: CONSENSUS,
    original: "if (trust == 1) return true;",
    replacement: "",
    description: "no early return at trust 1",
    tests: [T.lifecycle],
    equivalent:
      "At trust 1 the rule `grown * 1 > total * 0` holds for every weight (weights are at least 2), and a trust-1 " +
      "task never stores a group, so `group` is 0 and nothing is deleted or written: the same answer, for more gas.",
  },
  {
    id: "consensus-ge",
    file: CONSENSUS,
    original: "grown * trust > total * (trust - 1)",
    replacement: "grown * trust >= total * (trust - 1)",
    description: "consensus on a tie (> becomes >=)",
    tests: [T.lifecycle],
  },
  {
    id: "consensus-total-without-one",
    file: CONSENSUS,
    original: "uint256 total = 1 + open + (grown - group);",
    replacement: "uint256 total = open + (grown - group);",
    description: "the total weight lacks its 1",
    tests: [T.lifecycle],
  },
  {
    id: "consensus-weights-added",
    file: CONSENSUS,
    original: "Math.max(group, 1) * weight",
    replacement: "group + weight",
    description: "a group's weight is the sum of its workers' weights, not the product",
    tests: [T.lifecycle],
  },
  {
    id: "consensus-winner-group-kept",
    file: CONSENSUS,
    original: "delete $.groupWeights[taskid][resultHash];",
    replacement: "",
    description: "the winning group keeps its weight after a consensus (a reopen does not start afresh)",
    tests: [T.consensus],
  },
  // ---------------------------------------------------------------- Deals: the packed deal
  {
    id: "deals-sponsor-not-stored",
    file: DEALS,
    original: "if (deal.sponsor != deal.requester) {",
    replacement: "if (deal.sponsor == address(0)) {",
    description: "the sponsor is never recorded (the requester would pay)",
    tests: [T.match],
    grep: "sponsorMatchOrders",
  },
  {
    id: "deals-dataset-size",
    file: DEALS,
    original: "offset += DATASET_SIZE;",
    replacement: "offset += DATASET_SIZE - 8;",
    description: "the optional fields after the dataset are read 8 bytes early",
    tests: [T.match],
  },
  {
    id: "deals-stake-ratio-offset",
    file: DEALS,
    original: "_uint(code, WORKER_STAKE_RATIO_OFFSET, 8)",
    replacement: "_uint(code, SCHEDULER_REWARD_RATIO_OFFSET, 8)",
    description: "the worker stake is computed from the scheduler reward ratio",
    tests: [T.match],
  },
  {
    id: "deals-bot-swapped",
    file: DEALS,
    original: "uint64(deal.botFirst),\n            uint64(deal.botSize),",
    replacement: "uint64(deal.botSize),\n            uint64(deal.botFirst),",
    description: "botFirst and botSize are stored swapped",
    tests: [T.match],
  },
  // ---------------------------------------------------------------- Tasks: the packed task and contribution
  {
    id: "tasks-final-deadline-shift",
    file: TASKS,
    original: "uint40(word >> STATE_FINAL_DEADLINE_OFFSET)",
    replacement: "uint40(word >> STATE_CONTRIBUTION_DEADLINE_OFFSET)",
    description: "the final deadline is read from the contribution deadline's bits",
    tests: [T.lifecycle],
  },
  {
    id: "tasks-reveal-count-shift",
    file: TASKS,
    original: "(s.revealCount << STATE_REVEAL_COUNT_OFFSET)",
    replacement: "(s.revealCount << STATE_WINNER_COUNT_OFFSET)",
    description: "the reveal count is written over the winner count",
    tests: [T.lifecycle],
  },
  {
    id: "tasks-weight-shift",
    file: TASKS,
    original: "h.weight = uint8(word >> HEAD_WEIGHT_OFFSET);",
    replacement: "h.weight = uint8(word >> HEAD_FLAGS_OFFSET);",
    description: "a contribution's weight is read from its flags",
    tests: [T.lifecycle],
  },
  {
    id: "tasks-status-not-cleared",
    file: TASKS,
    original: "(stored.head & ~(uint256(0xff) << HEAD_STATUS_OFFSET))",
    replacement: "stored.head",
    description: "setStatus ORs the new status into the old one",
    tests: [T.lifecycle],
  },
  // ---------------------------------------------------------------- Signatures
  {
    id: "sig-presigned-zero",
    file: SIGNATURES,
    original: "return signer != address(0) && HubStorage.layout().presigned[hash] == signer;",
    replacement: "return HubStorage.layout().presigned[hash] == signer;",
    description: "address(0) presigns every unset hash",
    tests: [T.signatures],
  },
  {
    id: "sig-high-s",
    file: SIGNATURES,
    original: "if (s > HALF_ORDER) return address(0);",
    replacement: "",
    description: "malleated high-s signatures are accepted",
    tests: [T.signatures],
  },
  {
    id: "sig-compact-parity",
    file: SIGNATURES,
    original: "v := add(27, shr(255, vs))",
    replacement: "v := 27",
    description: "EIP-2098 signatures lose their parity bit",
    tests: [T.signatures],
  },
  {
    id: "sig-erc1271-revert-data",
    file: SIGNATURES,
    original: "valid := and(success, and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic)))",
    replacement: "valid := and(gt(returndatasize(), 0x1f), eq(mload(0x00), magic))",
    description: "an ERC-1271 wallet reverting with the magic value is valid",
    tests: [T.signatures],
  },
  {
    id: "sig-group-gas-unbounded",
    file: SIGNATURES,
    original: "staticcall(gasLimit, restriction,",
    replacement: "staticcall(gas(), restriction,",
    description: "a restriction's membership check may burn all the gas",
    tests: [T.signatures],
  },
  // ---------------------------------------------------------------- MatchingFacet
  {
    id: "match-requester-locked",
    file: MATCHING,
    original: "Escrow.lock(sponsor, Math.saturatingMul(price, m.volume));",
    replacement: "Escrow.lock(requestOrder.requester, Math.saturatingMul(price, m.volume));",
    description: "sponsorMatchOrders locks the requester's funds",
    tests: [T.match],
    grep: "sponsorMatchOrders",
  },
  {
    id: "match-stake-one-task",
    file: MATCHING,
    original: "Settlement.schedulerStake(workerpoolPrice) * m.volume",
    replacement: "Settlement.schedulerStake(workerpoolPrice)",
    description: "the scheduler stakes for one task whatever the volume",
    tests: [T.match],
  },
  {
    id: "match-category-gt",
    file: MATCHING,
    original: "if (category >= categories)",
    replacement: "if (category > categories)",
    description: "a category equal to the category count is accepted",
    tests: [T.badMatch],
    grep: "category",
  },
  {
    id: "match-request-signature-unchecked",
    file: MATCHING,
    original: "if (!Signatures.isPresignedOrValid(requester, m.requestHash, requestOrder.sign)) {",
    replacement: "if (requester == address(0)) {",
    description: "the request order's signature is not checked",
    tests: [T.badMatch],
    grep: "signature",
  },
  {
    id: "match-restriction-fast-path",
    file: MATCHING,
    original:
      "_word(w, WORKERPOOL_ORDER_DATASETRESTRICT) |\n                _word(w, WORKERPOOL_ORDER_REQUESTERRESTRICT);",
    replacement: "_word(w, WORKERPOOL_ORDER_DATASETRESTRICT);",
    description: "the no-restriction shortcut overlooks the workerpool's requester restriction",
    tests: [T.badMatch],
    grep: "restrict",
  },
  {
    id: "match-dataset-requester-restriction",
    file: MATCHING,
    original:
      "_require(_address(d, DATASET_ORDER_REQUESTERRESTRICT), requester, Field.DatasetRequesterRestrict);",
    replacement: "",
    description: "the dataset order's requester restriction is not checked",
    tests: [T.badMatch],
    grep: "restrict",
  },
  {
    id: "match-request-consumed-from-zero",
    file: MATCHING,
    original: "consumed[m.requestHash] = m.botFirst + volume;",
    replacement: "consumed[m.requestHash] = volume;",
    description: "a request's consumption forgets its earlier deals",
    tests: [T.match],
  },
  {
    id: "match-request-volume-ignored",
    file: MATCHING,
    original: "m.volume = Math.min(Math.min(volume, workerpoolLeft), requestLeft);",
    replacement: "m.volume = Math.min(volume, workerpoolLeft);",
    description: "the deal's volume ignores what is left of the request",
    tests: [T.match],
  },
  {
    id: "match-params-ge",
    file: MATCHING,
    original: "if (bytes(requestOrder.params).length > Deals.MAX_PARAMS_LENGTH) {",
    replacement: "if (bytes(requestOrder.params).length >= Deals.MAX_PARAMS_LENGTH) {",
    description: "params of exactly 24,000 bytes are refused",
    tests: [T.match],
    grep: "24,000",
  },
  {
    id: "match-dataset-tag-reversed",
    file: MATCHING,
    original: "if (deal.tag & datasetOrder.tag != datasetOrder.tag) {",
    replacement: "if (deal.tag & datasetOrder.tag != deal.tag) {",
    description: "assertDatasetDealCompatibility checks the tag inclusion the wrong way round",
    tests: [T.compatibility],
  },
];

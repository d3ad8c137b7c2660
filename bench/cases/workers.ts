// Cases 3 to 5: workers on one heap, and the same loads in C with glibc and
// pthreads (case 6). A case's figure is the median round's wall-clock time
// divided by the operations of all workers in that round.

import { Heap } from "wasm-pools";
import { makeRing } from "../../test/support/ring.js";
import { type CaseResult, caseFromSamples } from "../results.js";
import { CHURN_POOL, LARSON_CLASSES, LARSON_SLOTS_PER_WORKER, TRANSFER_POOL, type Workload } from "../workers/bench-worker-protocol.js";
import { runWorkers } from "../workers/harness.js";
import { type AllocatorName, type NativeProgram, runNative } from "./native.js";

export const CHURN_GROUP = "3. workers churning one pool (64 B)";
export const TRANSFER_GROUP = "4. producer/consumer through a ring (64 B)";
export const LARSON_GROUP = "5. Larson-like load, 16-1024 B";
/** The Larson-like load through heap.malloc and heap.free, no pools picked by hand (#15). */
export const LARSON_MALLOC = "wasm-pools heap.malloc, cache on, 2 workers";

export const CACHE_ON = 256 << 10;
export const CACHE_OFF = 0;

export interface Sizes {
  rounds: number;
  churnPairs: number;
  transferObjects: number;
  larsonSteps: number;
  serverRequests: number;
  /** Messages per round of a channel throughput case (cases 14 to 16; even: 2 workers share them). */
  channelMessages: number;
  /** Round trips per round of a latency case (case 17). */
  roundTrips: number;
}

export function sizes(quick: boolean): Sizes {
  return quick
    ? {
        rounds: 3,
        churnPairs: 500_000,
        transferObjects: 300_000,
        larsonSteps: 200_000,
        serverRequests: 20_000,
        channelMessages: 20_000,
        roundTrips: 1_000,
      }
    : {
        rounds: 7,
        churnPairs: 3_000_000,
        transferObjects: 2_000_000,
        larsonSteps: 1_000_000,
        serverRequests: 100_000,
        channelMessages: 100_000,
        roundTrips: 5_000,
      };
}

export interface WorkerJob {
  group: string;
  name: string;
  native: boolean;
  run: () => Promise<CaseResult>;
}

function cacheName(cacheBytes: number): string {
  return cacheBytes === CACHE_OFF ? "cache off" : "cache on";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

async function measureWorkers(
  group: string,
  name: string,
  operation: string,
  cacheBytes: number,
  workloads: Workload[],
  opsPerRound: number,
  rounds: number,
  setUp: (heap: Heap) => void,
): Promise<CaseResult> {
  const heap = await Heap.create({ cacheBytes });
  try {
    setUp(heap);
    const walls = await runWorkers(heap, cacheBytes, workloads, rounds);
    return caseFromSamples(
      group,
      name,
      operation,
      walls.map((ms) => (ms * 1e6) / opsPerRound),
    );
  } finally {
    heap.close();
  }
}

function nativeJob(
  group: string,
  name: string,
  operation: string,
  program: NativeProgram,
  args: number[],
  allocator: AllocatorName = "glibc",
): WorkerJob {
  return { group, name, native: true, run: async () => caseFromSamples(group, name, operation, runNative(program, args, allocator)) };
}

export function workerJobs(s: Sizes, otherAllocators: readonly AllocatorName[] = []): WorkerJob[] {
  const jobs: WorkerJob[] = [];
  const churnOp = "one alloc and one free, all workers together";
  for (const cacheBytes of [CACHE_ON, CACHE_OFF]) {
    for (const workers of [1, 2, 4]) {
      const name = `wasm-pools, ${cacheName(cacheBytes)}, ${plural(workers, "worker")}`;
      const workloads: Workload[] = Array.from({ length: workers }, () => ({ kind: "churn", pairs: s.churnPairs }));
      jobs.push({
        group: CHURN_GROUP,
        name,
        native: false,
        run: () =>
          measureWorkers(CHURN_GROUP, name, churnOp, cacheBytes, workloads, s.churnPairs * workers, s.rounds, (heap) => {
            heap.createPool(CHURN_POOL, 64);
          }),
      });
    }
  }
  for (const threads of [1, 2, 4]) {
    jobs.push(nativeJob(CHURN_GROUP, `glibc, ${plural(threads, "thread")}`, churnOp, "churn", [s.rounds, s.churnPairs, threads]));
  }

  const transferOp = "one object allocated by one worker and freed by the other";
  for (const cacheBytes of [CACHE_ON, CACHE_OFF]) {
    const name = `wasm-pools, ${cacheName(cacheBytes)}`;
    jobs.push({
      group: TRANSFER_GROUP,
      name,
      native: false,
      run: () => {
        const ring = makeRing();
        const objects = s.transferObjects;
        return measureWorkers(
          TRANSFER_GROUP,
          name,
          transferOp,
          cacheBytes,
          [
            { kind: "produce", objects, ring },
            { kind: "consume", objects, ring },
          ],
          objects,
          s.rounds,
          (heap) => {
            heap.createPool(TRANSFER_POOL, 64);
          },
        );
      },
    });
  }
  jobs.push(nativeJob(TRANSFER_GROUP, "glibc", transferOp, "prodcons", [s.rounds, s.transferObjects]));

  const larsonOp = "one alloc, one swap into a shared slot, one free, all workers together";
  const larsonRuns: Array<[number, number]> = [
    [CACHE_ON, 2],
    [CACHE_ON, 4],
    [CACHE_OFF, 2],
  ];
  for (const [cacheBytes, workers] of larsonRuns) {
    const name = `wasm-pools, ${cacheName(cacheBytes)}, ${plural(workers, "worker")}`;
    jobs.push({
      group: LARSON_GROUP,
      name,
      native: false,
      run: () => {
        const slots = new SharedArrayBuffer(workers * LARSON_SLOTS_PER_WORKER * 4);
        const workloads: Workload[] = Array.from({ length: workers }, () => ({ kind: "larson", steps: s.larsonSteps, workers, slots }));
        return measureWorkers(LARSON_GROUP, name, larsonOp, cacheBytes, workloads, s.larsonSteps * workers, s.rounds, (heap) => {
          for (const size of LARSON_CLASSES) heap.createPool(`larson-${size}`, size);
        });
      },
    });
  }
  jobs.push({
    group: LARSON_GROUP,
    name: LARSON_MALLOC,
    native: false,
    run: () => {
      const slots = new SharedArrayBuffer(2 * LARSON_SLOTS_PER_WORKER * 4);
      const workloads: Workload[] = Array.from({ length: 2 }, () => ({ kind: "larson-malloc", steps: s.larsonSteps, workers: 2, slots }));
      return measureWorkers(LARSON_GROUP, LARSON_MALLOC, larsonOp, CACHE_ON, workloads, s.larsonSteps * 2, s.rounds, () => {});
    },
  });
  for (const threads of [2, 4]) {
    jobs.push(nativeJob(LARSON_GROUP, `glibc, ${plural(threads, "thread")}`, larsonOp, "larson", [s.rounds, s.larsonSteps, threads]));
  }
  for (const allocator of otherAllocators) {
    jobs.push(nativeJob(LARSON_GROUP, `${allocator}, 2 threads`, larsonOp, "larson", [s.rounds, s.larsonSteps, 2], allocator));
  }
  return jobs;
}

// npm run bench: the cost of one alloc+free pair called from JS on one
// thread, against what JS offers without this package. Each task runs a
// batch of pairs per call so that tinybench's own overhead is amortised;
// figures are the median of the samples, divided by the batch size.
// (The full harness, with glibc and worker cases, is issue "Native speed".)

import { Bench } from "tinybench";
import { Heap } from "wasm-pools";

const BATCH = 1000;
const quick = process.argv.includes("--quick");
const heap = await Heap.create();
const pool = heap.createPool("bench", 64);
let sink = 0;

const bench = new Bench({ time: quick ? 200 : 1500, warmupTime: quick ? 50 : 300 });
bench
  .add("wasm-pools alloc+free (64 B)", () => {
    for (let i = 0; i < BATCH; i++) pool.free(pool.alloc());
  })
  .add("wasm-pools tryAlloc+free (64 B)", () => {
    for (let i = 0; i < BATCH; i++) pool.free(pool.tryAlloc());
  })
  .add("new Uint8Array(64)", () => {
    for (let i = 0; i < BATCH; i++) sink += new Uint8Array(64).length;
  })
  .add("new ArrayBuffer(64)", () => {
    for (let i = 0; i < BATCH; i++) sink += new ArrayBuffer(64).byteLength;
  });

await bench.run();

const rows = bench.tasks.map((task) => {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`${task.name}: ${result.state}`);
  const nsPerPair = (result.latency.p50 * 1e6) / BATCH;
  return { case: task.name, "ns/op (median)": nsPerPair.toFixed(1), "Mops/s": (1e3 / nsPerPair).toFixed(1), samples: result.latency.samplesCount };
});
const baseline = Number(rows[0]!["ns/op (median)"]);
console.table(rows.map((row) => ({ ...row, "× wasm-pools": (Number(row["ns/op (median)"]) / baseline).toFixed(2) })));
if (sink < 0) console.log(sink);

// What a run of the engine cases (suite.ts) gives back to the machine's Node
// (engines.ts): a browser page leaves it in globalThis.result, a runtime
// prints it after REPORT_PREFIX.

export interface EngineCaseResult {
  group: string;
  name: string;
  /** Median over the runs of each run's median sample, in ns per operation. */
  nsPerOp: number;
  /** Each run's figure, in ns per operation. */
  runs: number[];
}

export interface EngineReport {
  /** What the engine says it is (user agent, or runtime and version). */
  engine: string;
  /** The smallest step of performance.now() seen, in ns (browsers coarsen it). */
  timerStepNs: number;
  cases: EngineCaseResult[];
  /** An error that stopped the run. */
  error?: string;
}

/** What the run in one engine came to, as latest.json keeps it. */
export interface EngineResult {
  name: string;
  /** Why the engine did not run (not installed: with the command that installs it). */
  missing?: string;
  /** What stopped its run. */
  error?: string;
  report?: EngineReport;
}

/** How long a run is: quick (does every case run?) or full (figures to quote). */
export interface SuiteOptions {
  quick: boolean;
}

export const REPORT_PREFIX = "engine bench report: ";

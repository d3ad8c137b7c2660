// Runs jobs at most `limit` at a time, in the order they were given: the
// engines suite starts every target's run when it is collected, and each
// describe block awaits its own (the machine's 2 cores run two targets while
// the tests of earlier ones are judged).

export class InTurn {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Starts `job` once fewer than `limit` run; its promise is handled here too, so a failure waits for its test to report it. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const place = new Promise<void>((resolve) => {
      if (this.#running < this.limit) {
        this.#running++;
        resolve();
      } else {
        this.#waiting.push(() => {
          this.#running++;
          resolve();
        });
      }
    });
    const result = place.then(job).finally(() => {
      this.#running--;
      this.#waiting.shift()?.();
    });
    result.catch(() => {});
    return result;
  }
}

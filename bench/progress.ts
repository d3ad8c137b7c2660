// The progress display: a spinner naming the case being measured on a
// terminal, one plain line per case otherwise (CI logs).

import ora, { type Ora } from "ora";

export class Progress {
  private readonly spinner: Ora;
  private readonly total: number;
  private count = 0;

  constructor(total: number) {
    this.total = total;
    this.spinner = ora({ stream: process.stderr });
  }

  start(name: string): void {
    this.count++;
    const text = `[${this.count}/${this.total}] ${name}`;
    if (this.spinner.isEnabled) this.spinner.start(text);
    else process.stderr.write(`${text} ...\n`);
  }

  done(summary: string): void {
    if (this.spinner.isEnabled) this.spinner.succeed(`${this.spinner.text}: ${summary}`);
    else process.stderr.write(`  ${summary}\n`);
  }

  skip(reason: string): void {
    if (this.spinner.isEnabled) this.spinner.warn(`${this.spinner.text}: skipped, ${reason}`);
    else process.stderr.write(`  skipped, ${reason}\n`);
  }
}

/** Progress on stderr with an estimate of the time left. */
export interface ProgressSink {
  start(total: number): void;
  tick(label: string): void;
  /** more work than planned (a round run again) */
  grow?(extra: number): void;
  done(): void;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s >= 36_000) return `${Math.round(s / 3600)}h`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

/** Redraws one line on a terminal; prints a line every ~10% or 10 s otherwise. */
export class TerminalProgress implements ProgressSink {
  #total = 0;
  #done = 0;
  #startMs = 0;
  #lastPrintMs = 0;
  #lastPct = -1;
  readonly #longSeconds: number;
  #warnedLong = false;
  readonly #tty: boolean;
  readonly #lines: boolean;
  /** lines: false prints only the one note of a run that turns out long (-q) */
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    opts: { lines?: boolean; longSeconds?: number } = {},
  ) {
    this.#lines = opts.lines ?? true;
    this.#longSeconds = opts.longSeconds ?? 3600;
    // a terminal that cannot redraw a line (TERM=dumb) gets plain lines; nsbench writes no colours (NO_COLOR holds)
    this.#tty = Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
  }
  start(total: number): void {
    this.#total = total;
    this.#done = 0;
    this.#startMs = Date.now();
    this.#lastPrintMs = 0;
    this.#lastPct = -1;
  }
  grow(extra: number): void {
    this.#total += extra;
  }
  tick(label: string): void {
    this.#done++;
    const now = Date.now();
    const elapsed = (now - this.#startMs) / 1000;
    const left = (elapsed / this.#done) * (this.#total - this.#done);
    const pct = Math.floor((100 * this.#done) / Math.max(1, this.#total));
    // the plan's floor assumed a fast machine: once the pace so far says more than an hour is left, say so, once
    if (!this.#warnedLong && elapsed >= 20 && left > this.#longSeconds) {
      this.#warnedLong = true;
      this.stream.write(`${this.#tty && this.#lines ? '\r\x1b[2K' : ''}note: at the pace so far this run needs ~${fmtSeconds(left)} more — Ctrl-C stops it and keeps what was measured (results/<run-id>.samples.jsonl, --resume continues it)\n`);
    }
    if (!this.#lines) return;
    const line = `  ${label}  ${this.#done}/${this.#total} (${pct}%)  elapsed ${fmtSeconds(elapsed)}  left ~${fmtSeconds(left)}`;
    if (this.#tty) {
      if (now - this.#lastPrintMs > 100 || this.#done === this.#total) {
        this.stream.write(`\r\x1b[2K${line}`);
        this.#lastPrintMs = now;
      }
    } else if (Math.floor(pct / 10) > Math.floor(this.#lastPct / 10) || now - this.#lastPrintMs > 10_000) {
      this.stream.write(`${line}\n`);
      this.#lastPrintMs = now;
      this.#lastPct = pct;
    }
  }
  done(): void {
    if (this.#tty && this.#lines) this.stream.write('\r\x1b[2K');
  }
}

export const silentProgress: ProgressSink = { start() {}, tick() {}, done() {} };

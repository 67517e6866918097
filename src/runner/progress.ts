import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { RunEstimate } from './eta.ts';

/** Where a run reports its progress. */
export interface ProgressSink {
  /** the run's estimate (scenarios and their costs), before start */
  plan?(estimate: RunEstimate): void;
  start(total: number): void;
  /** scenario `index` of the plan starts */
  scenario?(index: number): void;
  tick(label: string): void;
  /** more work than planned (a round run again), or less (negative: an adaptive scenario stopped early) */
  grow?(extra: number): void;
  /** a warning or note of the run, one line (without its newline); a sink without it: the runner writes to stderr */
  message?(line: string): void;
  done(): void;
}

function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.ceil(s); // whole seconds first: 179.5 s is 3m00s, not 2m60s
  if (t < 60) return `${t}s`;
  if (t >= 36_000) return `${Math.round(t / 3600)}h`;
  return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
}

/**
 * Progress on stderr: the current scenario and the whole run, with the time
 * left from the run's estimate (eta.ts: a cost per sample by scenario, from
 * the last run on this host or the kind, refined by the samples so far). On a
 * terminal, two bars drawn by cli-progress; elsewhere (a pipe, a CI log,
 * TERM=dumb) a plain line every tenth of the run or 10 s.
 */
export class TerminalProgress implements ProgressSink {
  #estimate: RunEstimate | null = null;
  #total = 0;
  #done = 0;
  #startMs = 0;
  #lastPrintMs = 0;
  #lastTenth = -1;
  readonly #longSeconds: number;
  #warnedLong = false;
  readonly #tty: boolean;
  readonly #lines: boolean;
  #bars: MultiBar | null = null;
  #runBar: SingleBar | null = null;
  #scenarioBar: SingleBar | null = null;
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
  plan(estimate: RunEstimate): void {
    this.#estimate = estimate;
  }
  start(total: number): void {
    this.#total = total;
    this.#done = 0;
    this.#startMs = Date.now();
    this.#lastPrintMs = 0;
    this.#lastTenth = -1;
    if (this.#tty && this.#lines) {
      this.#bars = new MultiBar(
        {
          stream: this.stream,
          format: '  {what} {bar} {percentage}% {detail}',
          barsize: 24,
          hideCursor: true,
          clearOnComplete: true,
          stopOnComplete: false,
          etaBuffer: 1,
          fps: 10,
          noTTYOutput: false,
        },
        Presets.shades_classic,
      );
      this.#runBar = this.#bars.create(1000, 0, { what: 'run     ', detail: '' });
      this.#scenarioBar = this.#bars.create(1, 0, { what: 'scenario', detail: '' });
    }
  }
  scenario(index: number): void {
    this.#estimate?.scenario(index);
  }
  grow(extra: number): void {
    this.#total += extra;
    this.#estimate?.grow(extra);
  }
  tick(label: string): void {
    this.#done++;
    const e = this.#estimate;
    e?.sample();
    const now = Date.now();
    const elapsed = (now - this.#startMs) / 1000;
    // without an estimate (a caller that gave no plan): the pace of the samples so far
    const totalS = e ? Math.max(elapsed, e.total()) : (elapsed / this.#done) * Math.max(this.#done, this.#total);
    const left = Math.max(0, totalS - elapsed);
    const tenth = Math.floor((10 * elapsed) / Math.max(1e-9, totalS));
    // the plan's floor assumed a fast machine: once the pace so far says more than an hour is left, say so, once
    if (!this.#warnedLong && elapsed >= 20 && left > this.#longSeconds) {
      this.#warnedLong = true;
      const note = `note: at the pace so far this run needs ~${fmtSeconds(left)} more — Ctrl-C stops it and keeps what was measured (results/<run-id>.samples.jsonl, --resume continues it)\n`;
      if (this.#bars) this.#bars.log(note);
      else this.stream.write(note);
    }
    if (!this.#lines) {
      this.#lastTenth = Math.max(this.#lastTenth, tenth);
      return;
    }
    const sc = e ? `${e.currentDone()}/~${e.currentPlanned()}` : `${this.#done}/${this.#total}`;
    const runLine = `elapsed ${fmtSeconds(elapsed)}, left ~${fmtSeconds(left)} of ~${fmtSeconds(totalS)}`;
    if (this.#bars && this.#runBar && this.#scenarioBar) {
      this.#runBar.update(Math.min(1000, Math.round((1000 * elapsed) / Math.max(1e-9, totalS))), { detail: runLine });
      const planned = e ? e.currentPlanned() : this.#total;
      this.#scenarioBar.setTotal(Math.max(1, planned));
      this.#scenarioBar.update(e ? e.currentDone() : this.#done, { detail: `${label} (${sc})` });
    } else if (tenth > this.#lastTenth || now - this.#lastPrintMs > 10_000) {
      this.stream.write(
        `  [run ${Math.min(100, Math.floor((100 * elapsed) / Math.max(1e-9, totalS)))}%, ${runLine}] ${label} (${sc})\n`,
      );
      this.#lastPrintMs = now;
    }
    this.#lastTenth = Math.max(this.#lastTenth, tenth);
  }
  message(line: string): void {
    if (this.#bars) this.#bars.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }
  done(): void {
    this.#bars?.stop();
    this.#bars = null;
  }
}

export const silentProgress: ProgressSink = { start() {}, tick() {}, done() {} };

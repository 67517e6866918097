import os from 'node:os';
import { namespaceSlabs, settleNamespaces } from '../host/index.ts';

/** How often the backlog is read while namespaces churn (each read is one /proc/slabinfo). */
const INTERVAL_MS = 50;
/** The longest wait for a backlog to drain after the churn stops. */
const DRAIN_TIMEOUT_MS = 10_000;

/** The kernel's teardown backlog over one churn: per namespace kind, the live objects over the count before it. */
interface Backlog {
  /** most live objects over the count before the churn, per kind */
  peak: Record<string, number>;
  /** how fast the count grew during the churn (least-squares slope), objects per second, per kind */
  perSec: Record<string, number>;
  /**
   * from the end of the churn until every count was back (within a slab per CPU) or stopped falling for a second: ns;
   * -1 at the timeout
   */
  drainNs: number;
  /**
   * the readings of the kinds that grew: `backlog.t` (seconds from the watch's start; the last point is when the
   * drain ended) and `backlog.<kind>` (live objects over the count before)
   */
  series: Record<string, number[]>;
}

const counts = () => namespaceSlabs(os.availableParallelism());

/**
 * The namespaces a churn leaves dying but not yet freed, read from the namespace slab caches every 50 ms while it
 * runs (net namespaces are dismantled by cleanup_net on a kernel worker after their last process is gone, so the
 * count of live net_namespace objects is the backlog), and the time they take to drain once it stops.
 */
export class BacklogWatch {
  readonly #before = counts();
  readonly #series: { t: number; n: Record<string, number> }[] = [];
  readonly #t0 = performance.now();
  readonly #timer = setInterval(() => this.#read(), INTERVAL_MS);

  #read(): void {
    this.#series.push({
      t: (performance.now() - this.#t0) / 1000,
      n: Object.fromEntries(Object.entries(counts()).map(([k, c]) => [k, c.active])),
    });
  }

  /** The churn has stopped: the peak and slope of what it left, and the wait until it drained. */
  async drained(): Promise<Backlog> {
    clearInterval(this.#timer);
    this.#read();
    const peak: Record<string, number> = {};
    const perSec: Record<string, number> = {};
    for (const [k, c] of Object.entries(this.#before)) {
      const xs = this.#series.map((s) => [s.t, (s.n[k] ?? c.active) - c.active] as const);
      peak[k] = Math.max(0, ...xs.map(([, y]) => y));
      perSec[k] = slope(xs);
    }
    // back to the counts before (a slab per CPU aside), or no longer falling: some kernels free the last dead net
    // namespace only when the next is made, which settleNamespaces does first
    const baseline = Object.fromEntries(Object.entries(this.#before).map(([k, c]) => [k, c.active]));
    const ms = await settleNamespaces(DRAIN_TIMEOUT_MS, baseline);
    this.#read(); // where the drain left it
    const grew = Object.keys(peak).filter((k) => (peak[k] ?? 0) > 0);
    const series: Record<string, number[]> = grew.length ? { 'backlog.t': this.#series.map((s) => s.t) } : {};
    for (const k of grew)
      series[`backlog.${k}`] = this.#series.map((s) => (s.n[k] ?? 0) - (this.#before[k]?.active ?? 0));
    return { peak, perSec, drainNs: ms < 0 ? -1 : ms * 1e6, series };
  }

  /** Stops reading without waiting (an error on the way). */
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Least-squares slope of y over x (0 with fewer than two points). */
function slope(xs: readonly (readonly [number, number])[]): number {
  if (xs.length < 2) return 0;
  const mx = xs.reduce((s, [x]) => s + x, 0) / xs.length;
  const my = xs.reduce((s, [, y]) => s + y, 0) / xs.length;
  const sxx = xs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx > 0 ? xs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : 0;
}

/** The backlog as sample metrics: backlog.<kind>.peak and .perSec for the kinds that grew, and backlog.drainNs. */
export function backlogMetrics(b: Backlog): Record<string, number> {
  const out: Record<string, number> = { 'backlog.drainNs': b.drainNs };
  for (const [k, p] of Object.entries(b.peak))
    if (p > 0) {
      out[`backlog.${k}.peak`] = p;
      out[`backlog.${k}.perSec`] = b.perSec[k] ?? 0;
    }
  return out;
}

/** More live namespace objects of a kind than this over a scenario's start is a backlog worth saying. */
const BACKLOG_NOTE = 32;

/**
 * The note a scenario owes the next one when it leaves the kernel tearing namespaces down (their objects still live
 * well above the count it started with), or null.
 */
export function backlogNote(
  scenario: string,
  before: Record<string, number>,
  after: Record<string, number>,
): string | null {
  const left = Object.entries(after)
    .map(([k, n]) => [k, n - (before[k] ?? n)] as const)
    .filter(([, d]) => d > BACKLOG_NOTE);
  if (!left.length) return null;
  return `note: after ${scenario} the kernel is still tearing down ${left.map(([k, d]) => `${d} ${k.replace(/_namespace$/, '')} namespaces`).join(', ')}: the next scenario starts beside that work`;
}

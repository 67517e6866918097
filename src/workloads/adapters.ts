/**
 * What a tool's output gives: metric name → number (the results' Metrics is the same shape; workloads sit below results
 * and do not import it).
 */
export type Metrics = Record<string, number>;

/**
 * Adapters for real tools: each names its Debian package and turns the tool's
 * machine-readable (or stable text) output into metrics named `workload.*`.
 */
export interface ToolAdapter {
  tool: string;
  /** Arguments always added (machine-readable output). */
  fixedArgs: (args: readonly string[]) => string[];
  parse(stdout: string): Metrics;
  /**
   * For tests that need files made first (sysbench fileio): the arguments of
   * the unmeasured prepare and cleanup runs, all in one fresh working directory.
   */
  phases?(args: readonly string[]): { prepare: string[]; cleanup: string[] } | null;
}

/** sysbench fileio: "prepare" and "cleanup" with the same options as the measured "run". */
export function sysbenchPhases(args: readonly string[]): { prepare: string[]; cleanup: string[] } | null {
  if (args[0] !== 'fileio' || args[args.length - 1] !== 'run') return null;
  const opts = args
    .slice(0, -1)
    .filter((a) => !a.startsWith('--file-test-mode') && !a.startsWith('--time') && !a.startsWith('--events'));
  return { prepare: [...opts, 'prepare'], cleanup: [...opts, 'cleanup'] };
}

function num(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

function put(m: Metrics, key: string, value: number | null | undefined): void {
  if (value !== null && value !== undefined && Number.isFinite(value)) m[`workload.${key}`] = value;
}

/** sysbench prints text: "events per second: 123", "read, MiB/s: 4", "95th percentile: 0.02" (ms). */
export function parseSysbench(out: string): Metrics {
  const m: Metrics = {};
  const grab = (re: RegExp) => num(re.exec(out)?.[1]);
  put(m, 'eventsPerSec', grab(/events per second:\s*([\d.]+)/));
  put(m, 'events', grab(/total number of events:\s*([\d.]+)/));
  const total = grab(/total time:\s*([\d.]+)s/);
  put(m, 'totalTimeNs', total === null ? null : total * 1e9);
  const ms = (re: RegExp) => {
    const v = grab(re);
    return v === null ? null : v * 1e6;
  };
  put(m, 'latencyMinNs', ms(/\bmin:\s*([\d.]+)/));
  put(m, 'latencyAvgNs', ms(/\bavg:\s*([\d.]+)/));
  put(m, 'latencyMaxNs', ms(/\bmax:\s*([\d.]+)/));
  put(m, 'latencyP95Ns', ms(/95th percentile:\s*([\d.]+)/));
  put(m, 'memoryMiBPerSec', grab(/MiB transferred \(([\d.]+) MiB\/sec\)/));
  put(m, 'memoryOpsPerSec', grab(/Total operations: \d+ \(([\d.]+) per second\)/));
  put(m, 'readsPerSec', grab(/reads\/s:\s*([\d.]+)/));
  put(m, 'writesPerSec', grab(/writes\/s:\s*([\d.]+)/));
  put(m, 'fsyncsPerSec', grab(/fsyncs\/s:\s*([\d.]+)/));
  put(m, 'readMiBPerSec', grab(/read, MiB\/s:\s*([\d.]+)/));
  put(m, 'writtenMiBPerSec', grab(/written, MiB\/s:\s*([\d.]+)/));
  return m;
}

/** stress-ng --metrics --yaml /dev/stdout: the "metrics:" list, one entry per stressor. */
export function parseStressNg(out: string): Metrics {
  const m: Metrics = {};
  const section = out.split(/^metrics:\s*$/m)[1] ?? '';
  let stressor = '';
  for (const line of section.split('\n')) {
    const s = /^\s*-\s*stressor:\s*(\S+)/.exec(line);
    if (s) {
      stressor = s[1] as string;
      continue;
    }
    const kv = /^\s+([a-z-]+):\s*([\d.]+)\s*$/.exec(line);
    if (!kv || !stressor) {
      if (/^\S/.test(line)) break;
      continue;
    }
    const key = (kv[1] as string).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = num(kv[2]);
    const named: Record<string, string> = {
      bogoOps: 'bogoOps',
      bogoOpsPerSecondRealTime: 'bogoOpsPerSec',
      bogoOpsPerSecondUsrSysTime: 'bogoOpsPerCpuSec',
      wallClockTime: 'wallClockNs',
      userTime: 'userNs',
      systemTime: 'systemNs',
      cpuUsagePerInstance: 'cpuUsagePerInstancePct',
      maxRss: 'maxRssKb',
    };
    const name = named[key];
    if (!name) continue;
    const scaled = name.endsWith('Ns') && value !== null ? value * 1e9 : value;
    put(m, `${stressor}.${name}`, scaled);
  }
  return m;
}

/** fio --output-format=json: per direction bandwidth, IOPS and completion-latency percentiles, summed over jobs. */
export function parseFio(out: string): Metrics {
  const m: Metrics = {};
  const start = out.indexOf('{');
  if (start < 0) return m;
  const data = JSON.parse(out.slice(start)) as { jobs?: Record<string, Record<string, unknown>>[] };
  for (const dir of ['read', 'write'] as const) {
    let bwKiB = 0;
    let iops = 0;
    let p50 = 0;
    let p99 = 0;
    let any = false;
    for (const job of data.jobs ?? []) {
      const d = job[dir] as
        | { bw?: number; iops?: number; io_bytes?: number; clat_ns?: { percentile?: Record<string, number> } }
        | undefined;
      if (!d?.io_bytes) continue;
      any = true;
      bwKiB += d.bw ?? 0;
      iops += d.iops ?? 0;
      p50 = Math.max(p50, d.clat_ns?.percentile?.['50.000000'] ?? 0);
      p99 = Math.max(p99, d.clat_ns?.percentile?.['99.000000'] ?? 0);
    }
    if (!any) continue;
    put(m, `${dir}KiBPerSec`, bwKiB);
    put(m, `${dir}Iops`, iops);
    put(m, `${dir}ClatP50Ns`, p50);
    put(m, `${dir}ClatP99Ns`, p99);
  }
  return m;
}

/** iperf3 -J: received and sent throughput and retransmits. */
export function parseIperf3(out: string): Metrics {
  const m: Metrics = {};
  const start = out.indexOf('{');
  if (start < 0) return m;
  const d = JSON.parse(out.slice(start)) as {
    end?: {
      sum_received?: { bits_per_second?: number; bytes?: number };
      sum_sent?: { bits_per_second?: number; retransmits?: number };
    };
    error?: string;
  };
  put(
    m,
    'throughputMbitPerSec',
    d.end?.sum_received?.bits_per_second !== undefined ? d.end.sum_received.bits_per_second / 1e6 : null,
  );
  put(
    m,
    'sentMbitPerSec',
    d.end?.sum_sent?.bits_per_second !== undefined ? d.end.sum_sent.bits_per_second / 1e6 : null,
  );
  put(m, 'receivedBytes', d.end?.sum_received?.bytes);
  put(m, 'retransmits', d.end?.sum_sent?.retransmits);
  return m;
}

export const TOOL_ADAPTERS: Readonly<Record<string, ToolAdapter>> = {
  sysbench: { tool: 'sysbench', fixedArgs: (a) => [...a], parse: parseSysbench, phases: sysbenchPhases },
  'stress-ng': {
    tool: 'stress-ng',
    fixedArgs: (a) => ['-q', ...a, ...(a.includes('--metrics') ? [] : ['--metrics']), '--yaml', '/dev/stdout'],
    parse: parseStressNg,
  },
  fio: { tool: 'fio', fixedArgs: (a) => [...a, '--output-format=json'], parse: parseFio },
  iperf3: { tool: 'iperf3', fixedArgs: (a) => [...a, '-J'], parse: parseIperf3 },
};

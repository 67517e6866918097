import { WORK_BASE } from '../util/index.ts';
import { keyedNumbers, readText, singleNumber } from './fs.ts';
import { diskOf } from './io-device.ts';
import { type CgroupSpec, parseSize } from './spec.ts';

/** One file write that applies a limit. */
interface LimitWrite {
  /** the controller's directory key ('' = the v2 leaf; else a v1 controller) */
  controller: string;
  file: string;
  value: string;
}

/** Why a spec cannot be applied in this world, or the writes that apply it. */
export type LimitPlan = { ok: true; writes: LimitWrite[] } | { ok: false; reason: string };

const DEFAULT_PERIOD_US = 100_000;

const NO_DISK = `io limits need a block device: none is behind ${WORK_BASE}, where IO workloads write (tmpfs or overlay?) — set io.device to "MAJ:MIN"`;

/** "MAJ:MIN" the io limits name: the spec's, or for 'auto' the disk under the work folders. */
function ioDevice(spec: NonNullable<CgroupSpec['io']>): string | null {
  return !spec.device || spec.device === 'auto' ? diskOf(WORK_BASE) : spec.device;
}

/** cgroup v2: cpu.max, cpu.weight, memory.max/high/swap.max, pids.max, io.max, io.weight. */
export function planV2(spec: CgroupSpec, available: readonly string[]): LimitPlan {
  const w: LimitWrite[] = [];
  const need = (ctrl: string): string | null =>
    available.includes(ctrl)
      ? null
      : `cgroup v2 controller "${ctrl}" is not enabled here (available: ${available.join(' ') || 'none'})`;
  if (spec.cpu) {
    const missing = need('cpu');
    if (missing) return { ok: false, reason: missing };
    const period = spec.cpu.periodUs ?? DEFAULT_PERIOD_US;
    if (spec.cpu.max !== undefined)
      w.push({
        controller: '',
        file: 'cpu.max',
        value: `${Math.max(1000, Math.round(spec.cpu.max * period))} ${period}`,
      });
    if (spec.cpu.weight !== undefined) w.push({ controller: '', file: 'cpu.weight', value: String(spec.cpu.weight) });
  }
  if (spec.memory) {
    const missing = need('memory');
    if (missing) return { ok: false, reason: missing };
    const m = spec.memory;
    if (m.max !== undefined)
      w.push({ controller: '', file: 'memory.max', value: String(parseSize(m.max, 'memory.max')) });
    if (m.high !== undefined)
      w.push({ controller: '', file: 'memory.high', value: String(parseSize(m.high, 'memory.high')) });
    if (m.swapMax !== undefined)
      w.push({ controller: '', file: 'memory.swap.max', value: String(parseSize(m.swapMax, 'memory.swapMax')) });
  }
  if (spec.pids) {
    const missing = need('pids');
    if (missing) return { ok: false, reason: missing };
    w.push({ controller: '', file: 'pids.max', value: String(spec.pids.max) });
  }
  if (spec.io) {
    const missing = need('io');
    if (missing) return { ok: false, reason: missing };
    const dev = ioDevice(spec.io);
    if (!dev) return { ok: false, reason: NO_DISK };
    const parts = (['rbps', 'wbps', 'riops', 'wiops'] as const)
      .filter((k) => spec.io?.[k] !== undefined)
      .map((k) => `${k}=${spec.io?.[k]}`);
    if (parts.length) w.push({ controller: '', file: 'io.max', value: `${dev} ${parts.join(' ')}` });
    if (spec.io.weight !== undefined) w.push({ controller: '', file: 'io.weight', value: `default ${spec.io.weight}` });
  }
  return { ok: true, writes: w };
}

/** cgroup v1: cfs quota/period, shares, memory/memsw limits, pids.max, blkio throttles and weight. */
export function planV1(
  spec: CgroupSpec,
  mounted: Readonly<Record<string, string>>,
  probeFile: (ctrl: string, file: string) => boolean,
): LimitPlan {
  const w: LimitWrite[] = [];
  const need = (ctrl: string): string | null =>
    ctrl in mounted ? null : `cgroup v1 controller "${ctrl}" is not mounted`;
  if (spec.cpu) {
    const missing = need('cpu');
    if (missing) return { ok: false, reason: missing };
    const period = spec.cpu.periodUs ?? DEFAULT_PERIOD_US;
    if (spec.cpu.max !== undefined) {
      w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(period) });
      w.push({
        controller: 'cpu',
        file: 'cpu.cfs_quota_us',
        value: String(Math.max(1000, Math.round(spec.cpu.max * period))),
      });
    }
    if (spec.cpu.weight !== undefined)
      w.push({
        controller: 'cpu',
        file: 'cpu.shares',
        value: String(Math.max(2, Math.round((spec.cpu.weight * 1024) / 100))),
      });
  }
  if (spec.memory) {
    const missing = need('memory');
    if (missing) return { ok: false, reason: missing };
    const m = spec.memory;
    if (m.high !== undefined) return { ok: false, reason: 'memory.high has no cgroup v1 equivalent' };
    const max = m.max !== undefined ? parseSize(m.max, 'memory.max') : null;
    if (max !== null) w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(max) });
    if (m.swapMax !== undefined) {
      if (!probeFile('memory', 'memory.memsw.limit_in_bytes'))
        return { ok: false, reason: 'swap accounting is off (no memory.memsw.*): boot with swapaccount=1' };
      if (max === null)
        return { ok: false, reason: 'on cgroup v1 memory.swapMax needs memory.max too (memsw = max + swap)' };
      w.push({
        controller: 'memory',
        file: 'memory.memsw.limit_in_bytes',
        value: String(max + parseSize(m.swapMax, 'memory.swapMax')),
      });
    }
  }
  if (spec.pids) {
    const missing = need('pids');
    if (missing) return { ok: false, reason: missing };
    w.push({ controller: 'pids', file: 'pids.max', value: String(spec.pids.max) });
  }
  if (spec.io) {
    const missing = need('blkio');
    if (missing) return { ok: false, reason: missing };
    const dev = ioDevice(spec.io);
    if (!dev) return { ok: false, reason: NO_DISK };
    const files = {
      rbps: 'blkio.throttle.read_bps_device',
      wbps: 'blkio.throttle.write_bps_device',
      riops: 'blkio.throttle.read_iops_device',
      wiops: 'blkio.throttle.write_iops_device',
    } as const;
    for (const k of Object.keys(files) as (keyof typeof files)[]) {
      const v = spec.io[k];
      if (v !== undefined) w.push({ controller: 'blkio', file: files[k], value: `${dev} ${v}` });
    }
    if (spec.io.weight !== undefined) {
      const file = probeFile('blkio', 'blkio.bfq.weight')
        ? 'blkio.bfq.weight'
        : probeFile('blkio', 'blkio.weight')
          ? 'blkio.weight'
          : null;
      if (!file) return { ok: false, reason: 'io weight needs an IO scheduler with weights (bfq/cfq): none here' };
      w.push({
        controller: 'blkio',
        file,
        value: String(Math.max(10, Math.min(1000, Math.round(spec.io.weight / 10)))),
      });
    }
  }
  return { ok: true, writes: w };
}

/** Accounting read after a sample; names carry units. Absent files give absent metrics. */
export type CgroupStats = Record<string, number>;

export function readV2Stats(dir: string): CgroupStats {
  const s: CgroupStats = {};
  const cpu = keyedNumbers(readText(`${dir}/cpu.stat`));
  if (cpu.usage_usec !== undefined) s.cgCpuUsageUs = cpu.usage_usec;
  if (cpu.user_usec !== undefined) s.cgCpuUserUs = cpu.user_usec;
  if (cpu.system_usec !== undefined) s.cgCpuSysUs = cpu.system_usec;
  if (cpu.nr_throttled !== undefined) s.cgCpuNrThrottled = cpu.nr_throttled;
  if (cpu.throttled_usec !== undefined) s.cgCpuThrottledUs = cpu.throttled_usec;
  const peak = singleNumber(readText(`${dir}/memory.peak`));
  if (peak !== null) s.cgMemoryPeakBytes = peak;
  const mev = keyedNumbers(readText(`${dir}/memory.events`));
  if (mev.oom !== undefined) s.cgOomEvents = mev.oom;
  if (mev.oom_kill !== undefined) s.cgOomKills = mev.oom_kill;
  if (mev.max !== undefined) s.cgMemoryMaxEvents = mev.max;
  if (mev.high !== undefined) s.cgMemoryHighEvents = mev.high;
  const pidsPeak = singleNumber(readText(`${dir}/pids.peak`));
  if (pidsPeak !== null) s.cgPidsPeak = pidsPeak;
  const pev = keyedNumbers(readText(`${dir}/pids.events`));
  if (pev.max !== undefined) s.cgPidsMaxEvents = pev.max;
  return s;
}

export function readV1Stats(dirs: Readonly<Record<string, string>>): CgroupStats {
  const s: CgroupStats = {};
  if (dirs.cpuacct) {
    const usage = singleNumber(readText(`${dirs.cpuacct}/cpuacct.usage`));
    if (usage !== null) s.cgCpuUsageUs = Math.round(usage / 1000);
    const user = singleNumber(readText(`${dirs.cpuacct}/cpuacct.usage_user`));
    const sys = singleNumber(readText(`${dirs.cpuacct}/cpuacct.usage_sys`));
    if (user !== null) s.cgCpuUserUs = Math.round(user / 1000);
    if (sys !== null) s.cgCpuSysUs = Math.round(sys / 1000);
  }
  if (dirs.cpu) {
    const st = keyedNumbers(readText(`${dirs.cpu}/cpu.stat`));
    if (st.nr_throttled !== undefined) s.cgCpuNrThrottled = st.nr_throttled;
    if (st.throttled_time !== undefined) s.cgCpuThrottledUs = Math.round(st.throttled_time / 1000);
  }
  if (dirs.memory) {
    const peak = singleNumber(readText(`${dirs.memory}/memory.max_usage_in_bytes`));
    if (peak !== null) s.cgMemoryPeakBytes = peak;
    const fail = singleNumber(readText(`${dirs.memory}/memory.failcnt`));
    if (fail !== null) s.cgMemoryMaxEvents = fail;
    const oom = keyedNumbers(readText(`${dirs.memory}/memory.oom_control`));
    if (oom.oom_kill !== undefined) s.cgOomKills = oom.oom_kill;
  }
  if (dirs.pids) {
    const peak = singleNumber(readText(`${dirs.pids}/pids.peak`));
    if (peak !== null) s.cgPidsPeak = peak;
    const ev = keyedNumbers(readText(`${dirs.pids}/pids.events`));
    if (ev.max !== undefined) s.cgPidsMaxEvents = ev.max;
  }
  return s;
}

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../errors/index.ts';
import { builtinWorkload, claim, registry } from '../../host/index.ts';
import {
  type HostObservations,
  IPC_KEY_PREFIX,
  type IsolationCell,
  isolationCells,
  parseProbeReport,
} from '../../isolation/index.ts';
import type { LaunchResult } from '../../launcher/index.ts';
import type { Metrics, Sample } from '../../results/index.ts';
import type { VariantOf } from '../../scenario/index.ts';
import { WORK_BASE } from '../../util/index.ts';
import { toSample } from '../sample.ts';
import { skipReason } from '../skip.ts';
import { bestEffort, type ContextOf, type ProcedureOf, type SampleBase } from './procedure.ts';

/** The offsets a sandbox with a time namespace gets, so that the probe can see them. */
const PROBE_TIME_OFFSETS = { monotonicSec: 86_400, boottimeSec: 172_800 };
/** Owner of the host file the probe tries to chmod: a uid no sandbox maps. */
const HOST_FILE_UID = 4242;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mountTmpfs(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'nsb-iso', dir], { stdio: 'pipe' });
}

function unmountIfMounted(dir: string): void {
  while (isMountPoint(dir)) execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}

function isMountPoint(path: string, mountinfo = '/proc/self/mountinfo'): boolean {
  return readFileSync(mountinfo, 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === path);
}

/** Host pid of the process whose command line starts with these arguments. */
function findPid(argvPrefix: string[]): number | null {
  const want = argvPrefix.join('\0');
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').startsWith(want)) return Number(e);
    } catch {
      /* gone */
    }
  }
  return null;
}

function hostProcCount(): number {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
}

function hostInterfaces(): string[] {
  return readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .filter((l) => l.includes(':'))
    .map((l) => (l.split(':')[0] as string).trim());
}

function boottimeSec(): number {
  return Math.floor(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]));
}

function monotonicSec(): number {
  return Math.floor(Number(process.hrtime.bigint() / 1_000_000_000n));
}

/**
 * The isolation matrix: each sample runs the probe once inside the variant's
 * namespaces, against objects nsbench made for it on the host — a target
 * process holding SysV and POSIX IPC objects, a listener on host loopback, a
 * host-owned file, tmpfs mounts in its own folder — and judges every kind of
 * isolation from what the probe saw and did and what the host saw.
 */
export class IsolationProcedure implements ProcedureOf<'isolation'> {
  readonly #tag = randomBytes(3).toString('hex');
  readonly #dir = join(WORK_BASE, `nsb-iso-${this.#tag}`);
  readonly #key = IPC_KEY_PREFIX | randomBytes(2).readUInt16BE(0);
  readonly #mq = `/nsb-iso-${this.#tag}`;
  #server: Server | null = null;
  #port = 0;
  #accepted = 0;
  #target: LaunchResult | null = null;
  #unregister: (() => void) | null = null;
  readonly #probe = builtinWorkload('probe');

  constructor(private readonly ctx: ContextOf<'isolation'>) {}

  skipReason(v: VariantOf<'isolation'>): string | null {
    return (
      skipReason(v.ns, this.ctx.euid) ??
      (this.ctx.euid !== 0
        ? 'the isolation probe needs root on the host (it mounts and makes host-owned objects for the probe)'
        : null)
    );
  }

  async setup(variants: VariantOf<'isolation'>[]): Promise<void> {
    if (variants.length === 0) return;
    const d = this.#dir;
    claim(`nsb-iso-${this.#tag}`, `0x${(this.#key >>> 0).toString(16)}`);
    this.#unregister = registry.add(`isolation probe folder ${d}, its mounts and listener`, () => this.teardown());
    mkdirSync(join(d, 'out'), { recursive: true, mode: 0o755 });
    chmodSync(d, 0o755);
    chmodSync(join(d, 'out'), 0o777);
    for (const sub of ['inner', 'late', 'host-mnt']) mkdirSync(join(d, sub), { mode: 0o755 });
    mountTmpfs(join(d, 'host-mnt'));
    this.#server = createServer((s) => {
      this.#accepted++;
      s.on('error', () => undefined);
      s.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      this.#server?.once('error', reject);
      this.#server?.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as { port: number }).port;
    const launcher = this.ctx.holder();
    const t = await launcher.hold({
      ns: [],
      path: this.#probe,
      argv: ['probe', 'target', d, String(this.#key), this.#mq],
      timeoutMs: 10_000,
    });
    if (t.state !== 'running')
      throw new Error(`the isolation probe's host target did not start: ${t.error?.message ?? t.state}`);
    this.#target = t;
  }

  async teardown(): Promise<void> {
    const launcher = this.ctx.holder();
    if (this.#target) await bestEffort(launcher.release(this.#target.id, { signal: 15, timeoutMs: 5000 }));
    this.#target = null;
    await new Promise<void>((r) => (this.#server ? this.#server.close(() => r()) : r()));
    this.#server = null;
    if (existsSync(this.#dir)) {
      for (const sub of ['inner', 'late', 'host-mnt']) unmountIfMounted(join(this.#dir, sub));
      rmSync(this.#dir, { recursive: true, force: true });
    }
    this.#unregister?.();
    this.#unregister = null;
  }

  #reset(): void {
    const d = this.#dir;
    for (const f of ['phase1', 'go', 'signaled']) rmSync(join(d, 'out', f), { force: true });
    for (const sub of ['inner', 'late']) unmountIfMounted(join(d, sub));
    const file = join(d, 'host-file');
    writeFileSync(file, 'nsbench: the isolation probe tries to chmod this file\n');
    chownSync(file, HOST_FILE_UID, HOST_FILE_UID);
    chmodSync(file, 0o600);
  }

  async sample(v: VariantOf<'isolation'>, base: SampleBase): Promise<Sample> {
    if (!this.#target) throw new Error('the isolation procedure was not set up');
    this.#reset();
    const d = this.#dir;
    const accepted0 = this.#accepted;
    const hostnameBefore = os.hostname();
    const offsets = v.ns.includes('time') ? PROBE_TIME_OFFSETS : null;
    const argv = [
      'probe',
      'inside',
      d,
      String(this.#target.pid),
      String(this.#port),
      String(this.#key),
      this.#mq,
      readlinkSync('/proc/self/ns/uts'),
    ];
    const run = this.ctx.launcher().run({
      ns: v.ns,
      path: this.#probe,
      argv,
      hostname: this.ctx.scenario.hostname,
      timeoutMs: this.ctx.timeoutMs,
      ...(v.userMap ? { userMap: v.userMap } : {}),
      ...(offsets ? { timeOffsets: offsets } : {}),
    });
    let finished = false;
    void run.then(
      () => (finished = true),
      () => (finished = true),
    );

    // phase 1 done inside: look from the host while the probe lives, then mount DIR/late and say go
    const deadline = Date.now() + this.ctx.timeoutMs;
    while (!finished && !existsSync(join(d, 'out', 'phase1')) && Date.now() < deadline) await sleep(1);
    const hostMono = monotonicSec();
    const hostBoot = boottimeSec();
    const pid = findPid(argv);
    const read = (f: string) => {
      try {
        return pid ? readFileSync(`/proc/${pid}/${f}`, 'utf8') : null;
      } catch {
        // the probe exited: nothing to read
        return null;
      }
    };
    const status = read('status');
    const hostViewCgroup = read('cgroup');
    const innerMountOnHost = isMountPoint(join(d, 'inner'));
    const procs = hostProcCount();
    mountTmpfs(join(d, 'late'));
    writeFileSync(join(d, 'out', 'go'), '');
    const result = await run;
    const fileStat = statSync(join(d, 'host-file'));
    const host: HostObservations = {
      targetPid: this.#target.pid,
      hostProcCount: procs,
      hostInterfaces: hostInterfaces(),
      hostnameBefore,
      hostnameAfter: os.hostname(),
      innerMountOnHost,
      targetSignaled: existsSync(join(d, 'out', 'signaled')),
      connectionsAccepted: this.#accepted - accepted0,
      hostFileMode: fileStat.mode,
      hostFileOwner: fileStat.uid,
      hostViewUid: status ? Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN) : null,
      hostViewCgroup,
      hostMonotonicSec: hostMono,
      hostBoottimeSec: hostBoot,
      timeOffsets: offsets,
    };
    for (const sub of ['inner', 'late']) unmountIfMounted(join(d, sub));

    return probeSample(toSample(result, { ...base, timeoutMs: this.ctx.timeoutMs }), base, result.stdout, host);
  }
}

/** The probe's sample: its launch, and the isolation cells its report and the host's observations make. */
function probeSample(sample: Sample, base: SampleBase, report: string, host: HostObservations): Sample {
  if (sample.state !== 'completed') return sample;
  let cells: IsolationCell[];
  try {
    cells = isolationCells(parseProbeReport(report), host);
  } catch (e) {
    return {
      ...base,
      state: 'errored',
      cause: 'parse',
      reason: `cannot read the probe's report: ${errorMessage(e)}`,
    };
  }
  const metrics: Metrics = { ...sample.metrics, isolatedCount: cells.filter((c) => c.status === 'isolated').length };
  for (const c of cells) if (c.status !== 'n/a') metrics[`isolated.${c.ns}`] = c.status === 'isolated' ? 1 : 0;
  return { ...sample, metrics, isolation: cells };
}

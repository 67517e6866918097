import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NATIVE_PATHS, scanProcesses } from '../../src/host/index.ts';

export const IS_ROOT = process.geteuid?.() === 0;
export const BUILT =
  existsSync(NATIVE_PATHS.addon) &&
  existsSync(NATIVE_PATHS.launcher) &&
  existsSync(join(NATIVE_PATHS.workloads, 'noop'));

/** Reason to skip a test that creates namespaces, or false to run it. */
export const needsRootAndBuild: string | false = !BUILT
  ? 'native part not built (run npm install)'
  : !IS_ROOT
    ? 'needs root to create every namespace'
    : false;

export function hasCommand(name: string): boolean {
  return ['/usr/bin', '/bin', '/usr/sbin', '/sbin'].some((d) => existsSync(join(d, name)));
}

const created: string[] = [];
process.on('exit', () => {
  for (const d of created) rmSync(d, { recursive: true, force: true });
});

/** A temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'nsb-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  created.push(d);
  return d;
}

export function nsInode(pid: number | 'self', ns: string): string {
  return readlinkSync(`/proc/${pid}/ns/${ns}`);
}

/** Every process now: pid, parent pid, command name and state (from /proc/<pid>/stat). */
export function processTable(): { pid: number; ppid: number; comm: string; state: string }[] {
  return scanProcesses().map((p) => ({ pid: p.pid, ppid: p.ppid, comm: p.comm, state: p.state }));
}

/** Pids whose parent is `ppid`. */
export function childrenOf(ppid: number): number[] {
  return processTable()
    .filter((p) => p.ppid === ppid)
    .map((p) => p.pid);
}

/** Pids of processes named `comm` that descend from `ancestor`. */
export function descendantsNamed(ancestor: number, comm: string): number[] {
  const table = processTable();
  const parent = new Map(table.map((p) => [p.pid, p.ppid]));
  return table
    .filter((p) => {
      if (p.comm !== comm) return false;
      for (let q = parent.get(p.pid); q && q > 1; q = parent.get(q)) if (q === ancestor) return true;
      return false;
    })
    .map((p) => p.pid);
}

export async function waitFor<T>(
  fn: () => T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

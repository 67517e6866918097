import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../errors/index.ts';
import { parsePidStat } from './processes.ts';

/**
 * Which nsb- objects belong to a run that is still alive.
 *
 * Every nsbench process that makes objects on the machine holds an owner
 * record for its whole life: /run/nsbench/<run-id>.json (where /run is not
 * writable, <tmpdir>/nsbench-runs-<uid>). The record names the process — pid, its
 * start time after boot and the boot id, so that a reused pid or a reboot is
 * never mistaken for the owner — and every name it claimed, each claimed
 * *before* the object with that name is made: cgroup and tracefs names
 * (nsb-<run-id>…), network tags, engine tags, work folders, SysV IPC keys.
 * The leak check and `nsbench cleanup` leave the objects of a live owner
 * alone; a record whose process is gone is stale and is removed by cleanup.
 */
export interface OwnerRecord {
  runId: string;
  pid: number;
  /** /proc/<pid>/stat starttime (ticks after boot) */
  startTime: number;
  bootId: string;
  startedAt: string;
  argv: string[];
  /** name prefixes (nsb-…) and SysV keys (0x…) this run made or will make */
  claims: string[];
}

/**
 * Where this process keeps its owner record: /run/nsbench, or, where /run is
 * not ours to write, a folder of this user's under tmpdir (a folder shared by
 * all users would be the first one's, and refuse the others).
 */
export function lockDirs(): string[] {
  return ['/run/nsbench', join(tmpdir(), `nsbench-runs-${process.geteuid?.() ?? 0}`)];
}

/**
 * Where every user's owner records are: /run/nsbench and each nsbench-runs* folder under tmpdir (older versions wrote
 * nsbench-runs).
 */
function recordDirs(): string[] {
  let extra: string[] = [];
  try {
    extra = readdirSync(tmpdir())
      .filter((n) => /^nsbench-runs(-\d+)?$/.test(n))
      .map((n) => join(tmpdir(), n));
  } catch {
    // no tmpdir to read: /run only
  }
  return ['/run/nsbench', ...extra.sort()];
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

function startTimeOf(pid: number): number | null {
  try {
    return parsePidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.starttime ?? null;
  } catch {
    // the process is gone: no start time
    return null;
  }
}

/** Whether the process that wrote a record is still that process (same boot, same pid, same start time). */
export function ownerAlive(r: Pick<OwnerRecord, 'pid' | 'startTime' | 'bootId'>): boolean {
  return r.bootId === bootId() && startTimeOf(r.pid) === r.startTime;
}

let held: { file: string; record: OwnerRecord } | null = null;
let warned = false;

let exitHook = false;

function write(file: string, record: OwnerRecord): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o644 });
  renameSync(tmp, file);
}

/**
 * Takes this process's owner record, named after the run (a process that
 * makes objects outside a run — a test, `nsbench doctor` — gets one named
 * after its pid; a run taken later renames it and keeps its claims).
 */
export function acquireRunLock(runId = `pid-${process.pid}`): OwnerRecord {
  if (held && held.record.runId !== runId) {
    // objects made before this run began (outside a run, or by an earlier run in this process that failed): the record
    // takes the run's name, with their claims
    const file = join(held.file, '..', `${runId}.json`);
    const record = { ...held.record, runId };
    write(file, record);
    rmSync(held.file, { force: true });
    held = { file, record };
  }
  if (held) return held.record;
  const record: OwnerRecord = {
    runId,
    pid: process.pid,
    startTime: startTimeOf(process.pid) ?? 0,
    bootId: bootId(),
    startedAt: new Date().toISOString(),
    argv: process.argv.slice(1),
    claims: [],
  };
  let lastError: unknown;
  for (const dir of lockDirs()) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      const file = join(dir, `${runId}.json`);
      write(file, record);
      held = { file, record };
      // any exit that still runs JavaScript (a forced Ctrl-C, an internal error, a closed stdout) gives the record up;
      // only kill -9 leaves it, for `cleanup`
      if (!exitHook) process.once('exit', releaseRunLock);
      exitHook = true;
      return record;
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`cannot write an owner record in ${lockDirs().join(' or ')}: ${errorMessage(lastError)}`);
}

/**
 * Claims a name for this process's run before the object is made: an nsb-
 * prefix (every object whose name, or a path segment of it, starts with it)
 * or a SysV key (0x…). Takes the owner record if none is held yet.
 */
export function claim(...names: string[]): void {
  let rec: OwnerRecord;
  try {
    rec = held?.record ?? acquireRunLock();
  } catch (e) {
    if (!warned)
      process.stderr.write(`warning: ${errorMessage(e)}: a cleanup beside this process could remove its objects\n`);
    warned = true;
    return;
  }
  const fresh = names.filter((n) => n && !rec.claims.includes(n));
  if (!fresh.length || !held) return;
  rec.claims.push(...fresh);
  write(held.file, rec);
}

/** Gives the owner record up (the run's objects are gone, or are now leaks for others to see). */
export function releaseRunLock(): void {
  if (!held) return;
  rmSync(held.file, { force: true });
  held = null;
}

/** This process's record, if it holds one. */
export function heldRunLock(): OwnerRecord | null {
  return held?.record ?? null;
}

interface OwnerFile {
  file: string;
  record: OwnerRecord | null;
  alive: boolean;
}

/** Every owner record on the machine, with whether its process is alive (an unreadable record is stale). */
export function ownerRecords(): OwnerFile[] {
  const out: OwnerFile[] = [];
  for (const dir of recordDirs()) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      // no folder: no runs recorded there
      continue;
    }
    for (const n of names) {
      if (!n.endsWith('.json')) continue;
      const file = join(dir, n);
      let record: OwnerRecord | null = null;
      try {
        const r = JSON.parse(readFileSync(file, 'utf8')) as OwnerRecord;
        if (typeof r.pid === 'number' && Array.isArray(r.claims)) record = r;
      } catch {
        /* torn or foreign: stale */
      }
      out.push({ file, record, alive: record !== null && ownerAlive(record) });
    }
  }
  return out;
}

/** The tokens an object is known by: its name and each path segment, split at / : and spaces. */
function nameTokens(names: readonly string[]): string[] {
  return names.flatMap((n) => n.split(/[/: ]+/)).filter(Boolean);
}

/** The live record (other than this process's own) that claimed any of these names, if one did. */
export function liveOwnerOf(names: readonly string[], live: readonly OwnerRecord[]): OwnerRecord | null {
  const tokens = nameTokens(names);
  for (const r of live) {
    if (r.pid === process.pid) continue;
    if (r.claims.some((c) => tokens.some((t) => t.startsWith(c)))) return r;
  }
  return null;
}

/** This process's claims to append (run id → file), given up when a run ends or the process exits. */
const appendClaims = new Map<string, string>();
let appendExitHook = false;

/** Gives up this process's claim to append to a run (the run ended). */
export function releaseRunClaim(runId: string): void {
  const file = appendClaims.get(runId);
  if (file) rmSync(file, { force: true });
  appendClaims.delete(runId);
}

/**
 * The one process that may append to a run's samples file: taken with an
 * exclusive create (two resumes started at the same moment cannot both get
 * it), kept until this process exits; one left by a process that is gone
 * (kill -9) is taken over. Returns null, or the pid that holds it.
 */
export function claimRunExclusively(runId: string): number | null {
  // the first folder this user can write (root: /run/nsbench), as the owner records
  const dir = lockDirs().find((d) => {
    try {
      mkdirSync(d, { recursive: true, mode: 0o755 });
      accessSync(d, constants.W_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!dir) return null; // nowhere to keep it: as before, no guard
  const file = join(dir, `${runId}.appending`);
  const mine = { pid: process.pid, startTime: startTimeOf(process.pid) ?? 0, bootId: bootId() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx', mode: 0o644 });
      appendClaims.set(runId, file);
      if (!appendExitHook)
        process.once('exit', () => {
          for (const f of appendClaims.values()) rmSync(f, { force: true });
        });
      appendExitHook = true;
      return null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let other: { pid: number; startTime: number; bootId: string } | null = null;
    try {
      other = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      other = null; // torn: its writer died mid-write
    }
    if (other && other.pid !== process.pid && ownerAlive(other)) return other.pid;
    rmSync(file, { force: true }); // its holder is gone: take it over
  }
  return -1;
}

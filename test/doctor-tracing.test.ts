// doctor says which kernel tracing facilities this kernel offers: tracefs (mounted or mountable), the tracepoints
// nsbench uses, the function tracer, function_graph, kprobes, BTF — from a copy of a tracefs tree, and live.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kernelTracingChecks } from '../src/doctor/index.ts';
import { ensureTracefs, tracingFacilities } from '../src/host/index.ts';
import { tempDir } from './helpers/env.ts';

test('facilities from a tracefs tree: tracepoints by system, tracers, kprobes, BTF; missing ones said with the fix', () => {
  const root = tempDir('nsb-test-tracefs-');
  for (const sys of ['sched', 'workqueue', 'cgroup']) mkdirSync(join(root, 'events', sys), { recursive: true });
  writeFileSync(join(root, 'available_tracers'), 'blk function nop\n');
  const fs = join(root, 'filesystems');
  writeFileSync(fs, 'nodev\tsysfs\nnodev\ttracefs\n');
  const f = tracingFacilities({ roots: [root], filesystems: fs, btf: join(root, 'no-btf') });
  assert.deepEqual(f, {
    tracefs: root,
    tracefsInKernel: true,
    tracepoints: { sched: true, workqueue: true, syscalls: false, raw_syscalls: false, cgroup: true },
    functionTracer: true,
    functionTracerRefused: false,
    functionGraph: false,
    kprobes: false,
    btf: false,
  });
  const rows = new Map(kernelTracingChecks(f).map((c) => [c.name, c]));
  assert.equal(rows.get('tracepoints')?.status, 'info');
  assert.match(rows.get('tracepoints')?.detail ?? '', /missing: syscalls, raw_syscalls/);
  assert.equal(rows.get('function tracer')?.status, 'ok');
  assert.match(rows.get('kprobes')?.fix ?? '', /CONFIG_KPROBE_EVENTS/);
  const unmounted = tracingFacilities({ roots: [join(root, 'nowhere')], filesystems: fs });
  assert.equal(
    kernelTracingChecks(unmounted).find((c) => c.name === 'tracefs')?.fix,
    'mount -t tracefs nodev /sys/kernel/tracing',
  );
});

// as root, tracefs is mounted where it is missing (as a run that traces does; unmounted when this process exits)
if (process.geteuid?.() === 0) ensureTracefs(0);

test('live: what this kernel has is reported as it is', {
  skip: existsSync('/sys/kernel/tracing/events')
    ? false
    : 'tracefs is not mounted here (and not mountable, or not root)',
}, () => {
  const f = tracingFacilities();
  assert.equal(f.kprobes, existsSync('/sys/kernel/tracing/kprobe_events'));
  assert.equal(f.btf, existsSync('/sys/kernel/btf/vmlinux'));
  // usable means usable: a kernel that lists the function tracer but refuses it (this host does) says so
  let readable = true;
  try {
    readFileSync('/sys/kernel/tracing/available_filter_functions', { encoding: 'utf8', flag: 'r' }).slice(0, 1);
  } catch {
    readable = false;
  }
  const listed = readFileSync('/sys/kernel/tracing/available_tracers', 'utf8').split(/\s+/).includes('function');
  assert.equal(f.functionTracer, listed && readable);
  if (listed && !readable)
    assert.match(kernelTracingChecks(f).find((c) => c.name === 'function tracer')?.detail ?? '', /refuses it/);
  assert.ok(f.tracepoints.sched && f.tracepoints.workqueue, 'the tracepoints kernel-work tracing already uses');
});

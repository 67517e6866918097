// The /proc, /sys and tracefs parsers on files recorded from a real machine
// (test/fixtures/host), and each live reader once on this one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  descendants,
  fdHardLimit,
  kthreadCpuNs,
  namespaceObjects,
  PF_KTHREAD,
  PROJECT_ROOT,
  parseCpuTimes,
  parseDyingDescendants,
  parseMeminfo,
  parsePidStat,
  parsePressure,
  parseProcCgroups,
  parseSlabinfo,
  parseTraceLine,
  pidMax,
  pssOf,
  readCpuTimes,
  readMeminfo,
  readPressure,
  scanProcesses,
  schedFork,
  schedSwitch,
  taskCount,
} from '../src/host/index.ts';

const fixture = (name: string) => readFileSync(join(PROJECT_ROOT, 'test/fixtures/host', name), 'utf8');

test('PSI: some and full lines, averages and the total in µs', () => {
  const cpu = parsePressure(fixture('pressure-cpu.txt'));
  assert.ok(cpu && cpu.some.totalUs > 0 && cpu.some.avg10 >= 0 && cpu.full !== null);
  assert.deepEqual(
    parsePressure(
      'some avg10=1.50 avg60=0.25 avg300=0.00 total=1234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=7\n',
    ),
    {
      some: { avg10: 1.5, avg60: 0.25, avg300: 0, totalUs: 1234 },
      full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 7 },
    },
  );
  assert.equal(parsePressure('nonsense'), null);
  assert.ok(parsePressure(fixture('pressure-memory.txt')));
});

test('/proc/stat: the cpu line, total and busy', () => {
  const t = parseCpuTimes(fixture('proc-stat.txt'));
  assert.ok(t.total > 0 && t.busy > 0 && t.busy < t.total);
  assert.deepEqual(parseCpuTimes('cpu  10 1 5 100 4 1 2 3 0 0\n'), {
    user: 10,
    nice: 1,
    system: 5,
    idle: 100,
    iowait: 4,
    irq: 1,
    softirq: 2,
    steal: 3,
    total: 126,
    busy: 22,
  });
});

test('/proc/<pid>/stat: a command name with spaces and parentheses, and a kernel thread', () => {
  const odd = parsePidStat(fixture('pid-stat-odd-comm.txt'));
  assert.deepEqual(
    odd && {
      pid: odd.pid,
      comm: odd.comm,
      state: odd.state,
      ppid: odd.ppid,
      utime: odd.utime,
      stime: odd.stime,
      cutime: odd.cutime,
      cstime: odd.cstime,
      starttime: odd.starttime,
    },
    { pid: 4242, comm: 'a) b (c)', state: 'S', ppid: 1, utime: 12, stime: 34, cutime: 5, cstime: 6, starttime: 987654 },
  );
  const k = parsePidStat(fixture('pid-stat-kthreadd.txt'));
  assert.ok(k && k.comm === 'kthreadd' && (k.flags & PF_KTHREAD) !== 0);
  assert.equal(parsePidStat('garbage'), null);
  const tree = descendants(
    [
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 11 },
      { pid: 13, ppid: 1 },
    ] as never,
    10,
  );
  assert.deepEqual([...tree].sort(), [10, 11, 12]);
});

test('slabinfo: the namespace caches with object size and objects per slab', () => {
  const s = parseSlabinfo(fixture('slabinfo.txt'));
  const net = s.get('net_namespace');
  assert.ok(net && net.objSize > 1000 && net.objPerSlab > 0 && net.activeObjs >= 0);
  assert.ok(s.has('pid_namespace') && s.has('kmalloc-64'));
  assert.ok(!s.has('slabinfo'), 'the header lines are not caches');
});

test('cgroup counters: dying descendants (v2) and cgroups per v1 hierarchy', () => {
  assert.equal(parseDyingDescendants(fixture('cgroup-stat.txt')), 0);
  assert.equal(parseDyingDescendants('nr_descendants 3\nnr_dying_descendants 2\n'), 2);
  const v1 = parseProcCgroups(fixture('proc-cgroups.txt'));
  assert.ok(Object.keys(v1).includes('memory') && Object.values(v1).every((n) => n >= 1));
});

test('trace lines: workqueue events and kworker switches, with context and the mono clock in ns', () => {
  const lines = fixture('trace-netns.txt').split('\n').filter(Boolean);
  const events = lines.map(parseTraceLine);
  assert.ok(
    events.every((e) => e !== null),
    'every line of a real trace parses',
  );
  const queued = events.find((e) => e?.event === 'workqueue_queue_work' && /function=cleanup_net/.test(e.fields));
  assert.ok(queued && queued.comm === 'true' && queued.context === 'task' && queued.tsNs > 1e9);
  const start = events.find((e) => e?.event === 'workqueue_execute_start' && /cleanup_net/.test(e.fields));
  assert.ok(start?.comm.startsWith('kworker/') && start.tsNs >= queued.tsNs);
  assert.ok(
    events.some((e) => e?.event === 'sched_switch' && /prev_state=D/.test(e.fields)),
    'cleanup_net waits (D) in its grace period',
  );
  const soft = parseTraceLine(
    '          <idle>-0       [001] d.s2.   602.900090: workqueue_queue_work: work struct=00000000c4c41c74 function=delayed_vfree_work workqueue=events req_cpu=256 cpu=1',
  );
  assert.deepEqual(soft && { comm: soft.comm, pid: soft.pid, cpu: soft.cpu, context: soft.context, tsNs: soft.tsNs }, {
    comm: '<idle>',
    pid: 0,
    cpu: 1,
    context: 'softirq',
    tsNs: 602_900_090_000,
  });
  assert.equal(parseTraceLine('# tracer: nop'), null);
});

test('meminfo: MemAvailable and Slab in bytes; a missing key reads 0', () => {
  const m = parseMeminfo(
    'MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20000000 kB\nSlab:             123456 kB\n',
  );
  assert.deepEqual(m, { availableBytes: 20_000_000 * 1024, slabBytes: 123_456 * 1024 });
  assert.deepEqual(parseMeminfo('MemTotal: 1 kB\n'), { availableBytes: 0, slabBytes: 0 });
});

test('the live readers on this machine', () => {
  const mem = readMeminfo();
  assert.ok(mem.availableBytes > 0 && mem.slabBytes > 0, JSON.stringify(mem));
  assert.ok(pssOf(process.pid) > 0, 'this process has a proportional set size');
  assert.equal(pssOf(2 ** 22 + 1), 0, 'no such process: 0');
  assert.ok(pidMax() >= 301 && fdHardLimit() > 0 && taskCount() > 0);
  const objs = namespaceObjects();
  if (process.geteuid?.() === 0)
    assert.ok((objs.user_namespace ?? 0) >= 1 && (objs.pid_namespace ?? 0) >= 0, JSON.stringify(objs));
  assert.ok(readCpuTimes().total > 0);
  const procs = scanProcesses();
  assert.ok(
    procs.some((p) => p.pid === process.pid),
    'this process is among them',
  );
  const psi = readPressure();
  if (psi) assert.ok(psi.cpu.some.totalUs >= 0 && psi.io.some.totalUs >= 0);
  if (process.geteuid?.() === 0) assert.ok((kthreadCpuNs() ?? 0) > 0, 'kernel threads have run');
});

test('sched_switch and sched_process_fork fields, as every tracer of nsbench reads them', () => {
  const sw = parseTraceLine(
    '  nsb-launcher-4242  [001] d..2.  1234.567890: sched_switch: prev_comm=nsb-launcher prev_pid=4242 prev_prio=120 prev_state=D ==> next_comm=kworker/u8:2 next_pid=77 next_prio=120',
  );
  assert.equal(sw?.event, 'sched_switch');
  assert.deepEqual(schedSwitch(sw?.fields ?? ''), { prev: 4242, prevState: 'D', next: 77 });
  assert.deepEqual(schedSwitch('prev_comm=a prev_pid=1 prev_prio=120 prev_state=R+ ==> next_comm=b next_pid=2'), {
    prev: 1,
    prevState: 'R+',
    next: 2,
  });
  const none = schedSwitch('garbage');
  assert.ok(Number.isNaN(none.prev) && Number.isNaN(none.next) && none.prevState === undefined);
  assert.deepEqual(schedFork('comm=nsb-launcher pid=4242 child_comm=nsb-launcher child_pid=4243'), {
    parent: 4242,
    child: 4243,
  });
});

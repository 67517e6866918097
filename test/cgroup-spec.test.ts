import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupSpecId, parseSize, planV1, planV2, validateCgroupSpec } from '../src/cgroup/index.ts';

test('sizes parse in binary units', () => {
  assert.equal(parseSize('64M', 'x'), 64 * 1024 * 1024);
  assert.equal(parseSize('1G', 'x'), 1024 ** 3);
  assert.equal(parseSize('512k', 'x'), 512 * 1024);
  assert.equal(parseSize(4096, 'x'), 4096);
  assert.throws(() => parseSize('lots', 'v.memory.max'), /v\.memory\.max: not a size: "lots"/);
});

test('a cgroup spec is validated field by field', () => {
  assert.deepEqual(validateCgroupSpec({}, 'x'), {});
  assert.deepEqual(validateCgroupSpec({ cpu: { max: 0.2 }, pids: { max: 64 } }, 'x'), {
    cpu: { max: 0.2 },
    pids: { max: 64 },
  });
  assert.throws(
    () => validateCgroupSpec({ memroy: {} }, 'variants[2].cgroup'),
    (e: Error & { fix?: string }) =>
      /^variants\[2\]\.cgroup\.memroy: unknown key$/.test(e.message) && e.fix === 'did you mean "memory"?',
  );
  assert.throws(() => validateCgroupSpec({ cpus: { max: 1 }, zzz: 1 }, 'c'), /c\.cpus: unknown key/);
  assert.throws(() => validateCgroupSpec({ blkio: {} }, 'c'), /c\.blkio: unknown key \(known: cpu, memory, pids, io\)/);
  assert.throws(() => validateCgroupSpec({ cpu: { max: 0 } }, 'c'), /c\.cpu\.max: expected a number in 0\.001\.\.4096/);
  assert.throws(
    () => validateCgroupSpec({ pids: {} }, 'c'),
    /c\.pids\.max: expected an integer 1\.\.4194304, got nothing/,
  );
  assert.throws(
    () => validateCgroupSpec({ memory: { max: '99999999999999999999T' } }, 'c'),
    /c\.memory\.max: "99999999999999999999T" is more than any machine has/,
  );
  assert.throws(() => validateCgroupSpec({ memory: { max: 'big' } }, 'c'), /c\.memory\.max: not a size/);
  assert.throws(
    () => validateCgroupSpec({ io: { device: 'sda' } }, 'c'),
    /c\.io\.device: expected "MAJ:MIN" or "auto"/,
  );
  assert.equal(cgroupSpecId({}), 'cg');
  assert.equal(cgroupSpecId({ memory: { max: '64M' }, pids: { max: 8 } }), 'cg:memory.max=64M,pids=8');
});

test('v2 plan: the files and values each limit writes', () => {
  const plan = planV2(
    {
      cpu: { max: 0.2, weight: 50 },
      memory: { max: '64M', high: '32M', swapMax: 0 },
      pids: { max: 16 },
      io: { device: '8:0', rbps: 1000, wiops: 10, weight: 200 },
    },
    ['cpu', 'memory', 'pids', 'io'],
  );
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.writes.map((w) => `${w.file}=${w.value}`),
    [
      'cpu.max=20000 100000',
      'cpu.weight=50',
      'memory.max=67108864',
      'memory.high=33554432',
      'memory.swap.max=0',
      'pids.max=16',
      'io.max=8:0 rbps=1000 wiops=10',
      'io.weight=default 200',
    ],
  );
  const missing = planV2({ pids: { max: 4 } }, ['cpu']);
  assert.ok(!missing.ok && /controller "pids" is not enabled/.test(missing.reason));
});

test('v1 plan: cfs quota, shares, memsw, pids, blkio', () => {
  const mounted = { cpu: '/c', memory: '/m', pids: '/p', blkio: '/b' };
  const plan = planV1(
    {
      cpu: { max: 0.2, weight: 50 },
      memory: { max: '64M', swapMax: '16M' },
      pids: { max: 16 },
      io: { device: '8:0', wbps: 5 },
    },
    mounted,
    () => true,
  );
  assert.ok(plan.ok);
  assert.deepEqual(
    plan.writes.map((w) => `${w.controller}:${w.file}=${w.value}`),
    [
      'cpu:cpu.cfs_period_us=100000',
      'cpu:cpu.cfs_quota_us=20000',
      'cpu:cpu.shares=512',
      'memory:memory.limit_in_bytes=67108864',
      'memory:memory.memsw.limit_in_bytes=83886080',
      'pids:pids.max=16',
      'blkio:blkio.throttle.write_bps_device=8:0 5',
    ],
  );
  const high = planV1({ memory: { high: '1M' } }, mounted, () => true);
  assert.ok(!high.ok && /memory\.high has no cgroup v1 equivalent/.test(high.reason));
  const noswap = planV1({ memory: { max: '1M', swapMax: '1M' } }, mounted, () => false);
  assert.ok(!noswap.ok && /swapaccount=1/.test(noswap.reason));
});

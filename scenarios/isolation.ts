import { all, bare, defineScenario, eachAlone, preset } from '../src/scenario/index.ts';

// What each namespace set hides: the probe (workloads/probe.c) runs inside and
// reports what it can see and do — host processes and a host process to
// signal, the hostname, mounts both ways, interfaces and a host loopback
// listener, the host's SysV and POSIX IPC objects, ids, capabilities and a
// chmod of a host-owned file, /proc/self/cgroup, clock offsets — while the
// host checks its side. Every object it touches was made by nsbench for it.
// Findings are deterministic, so two rounds suffice (they must agree).
export default defineScenario({
  name: 'isolation',
  description: 'Isolation matrix: what each namespace set hides from a probe, cell by cell with evidence',
  kind: 'isolation',
  workload: { builtin: 'probe' },
  variants: [
    bare(),
    ...eachAlone(),
    {
      id: 'user→nobody',
      label: 'user alone, root mapped to host uid 65534',
      ns: ['user'],
      userMap: { uid: 65534, gid: 65534 },
    },
    preset('docker'),
    preset('runc'),
    preset('bwrap'),
    preset('all-but-net'),
    all(),
  ],
  rounds: 2,
  warmup: 0,
});

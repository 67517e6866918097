import { existsSync, readFileSync } from 'node:fs';
import { DELEGATION_HINT, findDelegation, usableV2Controllers, V2_CONTROLLERS } from '../cgroup/index.ts';
import {
  builtinWorkload,
  detectCgroups,
  findTools,
  NATIVE_PATHS,
  readPressure,
  type TracingFacilities,
  tracefsMountable,
  tracefsRoot,
  tracingFacilities,
} from '../host/index.ts';
import { NAMESPACES } from '../isolation/index.ts';
import { SandboxLauncher } from '../launcher/index.ts';
import { allowedCpus } from '../runner/index.ts';

type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

interface Check {
  area: string;
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do when status is warn or fail. */
  fix?: string;
}

function sysctl(name: string): string | null {
  try {
    return readFileSync(`/proc/sys/${name.replace(/\./g, '/')}`, 'utf8').trim();
  } catch {
    // the kernel has no such sysctl: null, and the check says so
    return null;
  }
}

function buildChecks(): Check[] {
  const parts: [string, string][] = [
    ['native binding', NATIVE_PATHS.addon],
    ['launcher', NATIVE_PATHS.launcher],
    ['noop workload', `${NATIVE_PATHS.workloads}/noop`],
  ];
  return parts.map(([name, path]) =>
    existsSync(path)
      ? { area: 'build', name, status: 'ok', detail: path }
      : {
          area: 'build',
          name,
          status: 'fail',
          detail: `${path} is missing`,
          fix: 'run `npm install` (or `npm run build:native`)',
        },
  );
}

function privilegeChecks(): Check[] {
  const euid = process.geteuid?.() ?? 0;
  const out: Check[] = [
    euid === 0
      ? {
          area: 'privileges',
          name: 'root',
          status: 'ok',
          detail: 'running as root: every namespace and cgroup variant can run',
        }
      : {
          area: 'privileges',
          name: 'root',
          status: 'warn',
          detail: `running as uid ${euid}: only variants with a user namespace can run`,
          fix: 'run as root (sudo) for the full matrix',
        },
  ];
  const maxUser = sysctl('user.max_user_namespaces');
  if (maxUser !== null)
    out.push(
      Number(maxUser) > 0
        ? { area: 'privileges', name: 'user.max_user_namespaces', status: 'ok', detail: maxUser }
        : {
            area: 'privileges',
            name: 'user.max_user_namespaces',
            status: 'fail',
            detail: '0: user namespaces are disabled',
            fix: 'sysctl -w user.max_user_namespaces=15000',
          },
    );
  const unpriv = sysctl('kernel.unprivileged_userns_clone');
  if (unpriv === '0')
    out.push({
      area: 'privileges',
      name: 'kernel.unprivileged_userns_clone',
      status: euid === 0 ? 'info' : 'warn',
      detail: '0: unprivileged users cannot create user namespaces',
      fix: 'sysctl -w kernel.unprivileged_userns_clone=1',
    });
  const apparmor = sysctl('kernel.apparmor_restrict_unprivileged_userns');
  if (apparmor === '1')
    out.push({
      area: 'privileges',
      name: 'kernel.apparmor_restrict_unprivileged_userns',
      status: euid === 0 ? 'info' : 'warn',
      detail: '1: AppArmor restricts unprivileged user namespaces',
      fix: 'sysctl -w kernel.apparmor_restrict_unprivileged_userns=0',
    });
  return out;
}

/** Launches the no-op in each namespace alone: the proof that it works here. */
/** Microseconds from request to the no-op's ready byte (or its exit), for doctor's lines. */
function launchedUs(r: { offsetsNs: { ready: number; exit: number } }): string {
  return ((r.offsetsNs.ready >= 0 ? r.offsetsNs.ready : r.offsetsNs.exit) / 1e3).toFixed(0);
}

async function namespaceChecks(): Promise<Check[]> {
  if (
    !existsSync(NATIVE_PATHS.launcher) ||
    !existsSync(NATIVE_PATHS.addon) ||
    !existsSync(`${NATIVE_PATHS.workloads}/noop`)
  )
    return [
      {
        area: 'namespaces',
        name: 'launch test',
        status: 'fail',
        detail: 'the native part is not built',
        fix: 'run `npm install`',
      },
    ];
  const out: Check[] = [];
  const launcher = SandboxLauncher.start();
  try {
    const noop = builtinWorkload('noop');
    const base = await launcher.run({ ns: [], path: noop, timeoutMs: 5000 });
    out.push({
      area: 'launcher',
      name: 'clone path',
      status: base.clonePath === 'clone3' ? 'ok' : 'warn',
      detail:
        base.clonePath === 'clone3'
          ? 'clone3() with CLONE_PIDFD'
          : `clone() fallback (${base.clonePath}); no time namespace, no CLONE_INTO_CGROUP`,
      ...(base.clonePath === 'clone3' ? {} : { fix: 'a Linux 5.3+ kernel has clone3()' }),
    });
    const vf = await launcher.run({ ns: [], path: noop, timeoutMs: 5000, vfork: true });
    out.push({
      area: 'launcher',
      name: 'create method',
      status: vf.createMethod === 'vfork' ? 'ok' : 'warn',
      detail:
        vf.createMethod === 'vfork'
          ? `vfork-style (CLONE_VM | CLONE_VFORK), the default: the no-op in ${launchedUs(vf)} µs, ${launchedUs(base)} µs fork-style`
          : `fork-style only: ${vf.createMethod}; every boot carries the copy of the launcher`,
      ...(vf.createMethod === 'vfork' ? {} : { fix: 'vfork-style needs x86-64 and clone3() (Linux 5.3+)' }),
    });
    for (const ns of NAMESPACES) {
      if (!existsSync(`/proc/self/ns/${ns}`)) {
        out.push({
          area: 'namespaces',
          name: ns,
          status: 'fail',
          detail: `kernel has no ${ns} namespace`,
          fix: `a kernel built with the ${ns} namespace (CONFIG_${ns.toUpperCase()}_NS)`,
        });
        continue;
      }
      const r = await launcher.run({ ns: [ns], path: noop, timeoutMs: 5000 });
      const ok = r.state === 'exited' && r.exitCode === 0;
      const euid = process.geteuid?.() ?? 0;
      if (!ok && euid !== 0 && ns !== 'user') {
        // rootless: what works is the namespace inside a user namespace
        const u = await launcher.run({ ns: ['user', ns], path: noop, timeoutMs: 5000 });
        const uok = u.state === 'exited' && u.exitCode === 0;
        out.push(
          uok
            ? {
                area: 'namespaces',
                name: ns,
                status: 'info',
                detail: `rootless: not alone (needs CAP_SYS_ADMIN), but user+${ns} launched the no-op in ${launchedUs(u)} µs: variants with the user namespace run, the rest are skipped`,
                fix: 'run as root for the variants without a user namespace',
              }
            : {
                area: 'namespaces',
                name: ns,
                status: 'fail',
                detail: `alone: ${r.error?.message ?? r.state}; with user: ${u.error?.message ?? u.state}`,
                fix: 'check the user-namespace sysctls above',
              },
        );
        continue;
      }
      out.push(
        ok
          ? { area: 'namespaces', name: ns, status: 'ok', detail: `launched the no-op in ${launchedUs(r)} µs` }
          : {
              area: 'namespaces',
              name: ns,
              status: 'fail',
              detail: r.error?.message ?? `${r.state} (exit ${r.exitCode})`,
              fix: 'see the hint in the detail; `nsbench run --ns <others>` skips it',
            },
      );
    }
  } finally {
    launcher.close();
  }
  return out;
}

function cgroupChecks(): Check[] {
  const cg = detectCgroups();
  const selfV2 = cg.self[''] ?? '(none)';
  const v1 = Object.keys(cg.v1Controllers);
  const detail =
    cg.mode === 'v2'
      ? `cgroup v2 at ${cg.v2Root}, controllers: ${cg.v2Controllers.join(' ') || '(none)'}; nsbench is in ${selfV2}`
      : cg.mode === 'hybrid'
        ? `hybrid: v1 controllers ${v1.join(' ')}; cgroup2 at ${cg.v2Root} with ${cg.v2Controllers.length ? `controllers ${cg.v2Controllers.join(' ')}` : 'no controllers (core files only)'}; nsbench is in ${selfV2}`
        : cg.mode === 'v1'
          ? `cgroup v1 only: ${v1.join(' ')}`
          : 'no cgroup hierarchy mounted';
  const out: Check[] = [
    {
      area: 'cgroups',
      name: 'mode',
      status: cg.mode === 'none' ? 'warn' : 'info',
      detail,
      ...(cg.mode === 'none' ? { fix: 'mount cgroup2 at /sys/fs/cgroup' } : {}),
    },
  ];
  if (cg.mode === 'none') return out;
  const limits =
    cg.mode === 'v2'
      ? `cgroup v2 files (${usableV2Controllers(cg.v2Controllers).join(', ') || 'no controllers'})`
      : `cgroup v1 files (${['cpu', 'memory', 'pids', 'blkio'].filter((c) => c in cg.v1Controllers).join(', ')})`;
  const placement =
    cg.mode === 'v2'
      ? 'CLONE_INTO_CGROUP at birth'
      : `cgroup.procs writes before exec${cg.v2Root ? `, plus CLONE_INTO_CGROUP into ${cg.v2Root}` : ''}`;
  out.push({
    area: 'cgroups',
    name: 'limits and placement',
    status: 'info',
    detail: `limits through ${limits}; placement by ${placement}`,
  });
  const freezers = [
    ...(cg.v2Root ? [`v2 cgroup.freeze (${cg.v2Root})`] : []),
    ...(cg.v1Controllers.freezer ? ['v1 freezer.state'] : []),
  ];
  out.push(
    freezers.length
      ? { area: 'cgroups', name: 'freezers', status: 'ok', detail: freezers.join(', ') }
      : {
          area: 'cgroups',
          name: 'freezers',
          status: 'warn',
          detail: 'no freezer: the freeze scenario will be skipped',
          fix: 'mount cgroup2 (cgroup.freeze) or the v1 freezer controller',
        },
  );
  if ((process.geteuid?.() ?? 0) !== 0) {
    const found = findDelegation(cg);
    if ('delegation' in found) {
      const usable = usableV2Controllers(found.delegation.controllers);
      out.push({
        area: 'rootless',
        name: 'cgroups',
        status: 'ok',
        detail: `${found.delegation.dir} is delegated to this user: sandbox cgroups, accounting and the freezer work there; limits on ${usable.join(', ') || 'no controller'}${usable.length < V2_CONTROLLERS.length ? ` (others skipped: ${V2_CONTROLLERS.filter((c) => !usable.includes(c)).join(', ')} not offered)` : ''}. For the run, its processes move into a leaf nsb-<run>.harness and back`,
      });
    } else
      out.push({
        area: 'rootless',
        name: 'cgroups',
        status: 'warn',
        detail: `no cgroup is delegated to this user (${found.reason}): variants with a cgroup, the freeze scenario and antagonists with limits are skipped`,
        fix: DELEGATION_HINT,
      });
    out.push({
      area: 'rootless',
      name: 'network topologies',
      status: 'warn',
      detail: 'veth, bridge and host-veth topologies create links and named network namespaces: skipped',
      fix: 'run as root',
    });
    out.push({
      area: 'rootless',
      name: 'engines, isolation probe',
      status: 'warn',
      detail: 'the engine comparison and the isolation matrix drive host objects as root: skipped',
      fix: 'run as root',
    });
  }
  if (cg.mode === 'v2') {
    const missing = V2_CONTROLLERS.filter((c) => !cg.v2Controllers.includes(c));
    if (missing.length)
      out.push({
        area: 'cgroups',
        name: 'controllers',
        status: 'warn',
        detail: `not available at the root: ${missing.join(', ')}; variants limiting them are skipped`,
        fix: `enable them: echo "${missing.map((c) => `+${c}`).join(' ')}" > ${cg.v2Root}/cgroup.subtree_control`,
      });
  }
  return out;
}

function toolChecks(): Check[] {
  return findTools().map((t) =>
    t.path
      ? { area: 'tools', name: t.name, status: 'ok', detail: `${t.version ?? t.path} (${t.purpose})` }
      : {
          area: 'tools',
          name: t.name,
          status: 'warn',
          detail: `not installed: ${t.purpose} will be skipped`,
          fix: `apt-get install ${t.aptPackage}`,
        },
  );
}

/** Everything `nsbench doctor` checks, in display order. */
/**
 * What the measurement's own watchers can use here: PSI for competing load, tracefs for the kernel's deferred work,
 * CPUs to keep the harness apart.
 */
function measurementChecks(): Check[] {
  const euid = process.geteuid?.() ?? 0;
  const psi = readPressure();
  // doctor looks, it does not mount: a run that traces mounts tracefs where it is missing (root), and unmounts it after
  const trace =
    euid !== 0
      ? 'tracing kernel work needs root'
      : tracefsRoot()
        ? null
        : tracefsMountable()
          ? 'mountable'
          : 'this kernel has no tracefs (no /sys/kernel/tracing)';
  const cpus = allowedCpus().length;
  return [
    psi
      ? {
          area: 'measurement',
          name: 'pressure stall information',
          status: 'ok',
          detail: '/proc/pressure/{cpu,memory,io}: competing load is seen round by round',
        }
      : {
          area: 'measurement',
          name: 'pressure stall information',
          status: 'warn',
          detail: 'no /proc/pressure: competing load is judged from /proc/stat and process CPU alone',
          fix: 'boot a kernel with CONFIG_PSI=y (and without psi=0)',
        },
    trace === 'mountable'
      ? {
          area: 'measurement',
          name: 'kernel work tracing',
          status: 'ok',
          detail:
            'tracefs is not mounted: a run that traces mounts it at /sys/kernel/tracing (as trace-cmd does) and unmounts it when it ends; `nsbench cleanup` unmounts it after a kill -9',
        }
      : trace
        ? {
            area: 'measurement',
            name: 'kernel work tracing',
            status: 'warn',
            detail: `${trace}: the kernel's deferred teardown (cleanup_net, free_ipc, …) is not attributed to sandboxes`,
            fix: euid === 0 ? 'mount -t tracefs nodev /sys/kernel/tracing' : 'run as root',
          }
        : {
            area: 'measurement',
            name: 'kernel work tracing',
            status: 'ok',
            detail: `tracefs at ${tracefsRoot()}: workqueue and kworker scheduling events, in an nsb- instance of each run`,
          },
    cpus >= 2
      ? {
          area: 'measurement',
          name: 'harness CPU',
          status: 'ok',
          detail: `${cpus} CPUs: launch scenarios keep nsbench on CPU ${allowedCpus().at(-1)} and their launcher and sandboxes on one other CPU (--placement spread or free to change it)`,
        }
      : {
          area: 'measurement',
          name: 'harness CPU',
          status: 'info',
          detail:
            "one CPU: nsbench and its sandboxes share it; between launches nsbench's own work lands on the CPU the next sandbox starts on",
        },
  ];
}

/**
 * What this kernel offers for attributing sandbox work to kernel work: tracefs
 * (mounted or mountable), the tracepoints nsbench uses, the function tracer,
 * function_graph, kprobes, BTF. Missing ones are said with what they would
 * give; nothing is enabled here (tracing runs only when a run asks for it).
 */
export function kernelTracingChecks(f: TracingFacilities = tracingFacilities()): Check[] {
  const row = (name: string, ok: boolean, yes: string, no: string, fix?: string): Check =>
    ok
      ? { area: 'kernel tracing', name, status: 'ok', detail: yes }
      : { area: 'kernel tracing', name, status: 'info', detail: no, ...(fix ? { fix } : {}) };
  const tp = Object.entries(f.tracepoints);
  const missing = tp.filter(([, v]) => !v).map(([k]) => k);
  return [
    f.tracefs
      ? { area: 'kernel tracing', name: 'tracefs', status: 'ok', detail: `mounted at ${f.tracefs}` }
      : f.tracefsInKernel
        ? {
            area: 'kernel tracing',
            name: 'tracefs',
            status: 'warn',
            detail: 'the kernel has tracefs but it is not mounted',
            fix: 'mount -t tracefs nodev /sys/kernel/tracing',
          }
        : {
            area: 'kernel tracing',
            name: 'tracefs',
            status: 'warn',
            detail: 'this kernel has no tracefs (CONFIG_TRACING): no kernel attribution',
            fix: 'boot a kernel with CONFIG_FTRACE',
          },
    row(
      'tracepoints',
      f.tracefs !== null && missing.length === 0,
      `${tp.map(([k]) => k).join(', ')}: system calls, deferred work, scheduling and cgroup events per sandbox`,
      f.tracefs ? `missing: ${missing.join(', ')}` : 'no tracefs',
      f.tracefs ? 'a kernel with CONFIG_FTRACE_SYSCALLS and the event tracers' : undefined,
    ),
    row(
      'function tracer',
      f.functionTracer,
      'available: time inside clone split by the namespace constructors, and the kernel functions a workload runs counted (footprint)',
      f.functionTracerRefused
        ? 'listed in available_tracers, but this kernel refuses it (available_filter_functions: operation not permitted): no function-level split or footprint'
        : 'not in this kernel (available_tracers): no function-level split or footprint',
      f.functionTracerRefused
        ? 'a kernel that lets root use ftrace (no lockdown or tracing restriction; scripts/v2-vm.sh boots one)'
        : 'a kernel with CONFIG_FUNCTION_TRACER (scripts/v2-vm.sh boots one)',
    ),
    row(
      'function_graph',
      f.functionGraph,
      'available: time inside clone split by the namespace constructors',
      'not in this kernel: no per-constructor timing',
      'a kernel with CONFIG_FUNCTION_GRAPH_TRACER (scripts/v2-vm.sh boots one)',
    ),
    row(
      'kprobes',
      f.kprobes,
      'available (kprobe_events): probes on copy_net_ns, create_user_ns, …',
      'not in this kernel (no kprobe_events)',
      'a kernel with CONFIG_KPROBE_EVENTS (scripts/v2-vm.sh boots one)',
    ),
    row(
      'BTF',
      f.btf,
      '/sys/kernel/btf/vmlinux: BPF programs with types could attach here',
      'no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)',
    ),
  ];
}

export async function runChecks(): Promise<Check[]> {
  return [
    ...buildChecks(),
    ...privilegeChecks(),
    ...(await namespaceChecks()),
    ...cgroupChecks(),
    ...measurementChecks(),
    ...kernelTracingChecks(),
    ...toolChecks(),
  ];
}

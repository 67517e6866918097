#!/usr/bin/env bash
# The proofs that need a cgroup v2 machine with controllers and many cores
# (the cgroups and density issues), in parts that each fit one 10-minute
# command on a lent machine without Node or network:
#
#   here:   npm install && ../shared/tools/device-pack.sh     (carry: [".device-carry"])
#   there:  bash .device-carry/unpack.sh && export PATH=/tmp/nodebin:$PATH && bash scripts/device-proof.sh PART
#
# PART is one of
#   tests     the tests that touch cgroups, freezers, density, engines, rootless
#             (delegated v2 group with controllers) and crash safety, on v2
#   cgroup    npm run perf:cgroup: CLONE_INTO_CGROUP vs cgroup.procs boot p50,
#             pause/unpause p50/p99 vs processes
#   density   npm run perf:density -- --target ${TARGET:-10000} --reps ${REPS:-3} --budget ${BUDGET:-900}
#   overhead  the cgroup-overhead and freeze scenarios through `nsbench run`
#   kernel    kernel attribution where the function tracer runs (scripts/v2-vm.sh
#             boots such a kernel): doctor's tracing rows, the boot scenario with
#             --kernel-trace functions (clone split by namespace constructor, all
#             eight), the footprint of sieve bare against all eight, and the
#             kernel-trace tests
#
# Each part writes PART.log (and PART.json where there is one) under $OUT
# (default results/device), plus machine.txt: kernel, cores, cgroup mode and
# controllers, so the figures say where they were taken.
set -uo pipefail
cd "$(dirname "$0")/.."
part=${1:?usage: scripts/device-proof.sh tests|cgroup|density|overhead|kernel}
out=${OUT:-results/device}
mkdir -p "$out"

{
  echo "date: $(date -u +%FT%TZ)"
  echo "kernel: $(uname -r)"
  echo "cores: $(nproc)"
  echo "memory: $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
  echo "cgroup2 root controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null || echo none)"
  echo "cgroup2 root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || echo none)"
  echo "own cgroup: $(cat /proc/self/cgroup)"
  echo "pid_max: $(cat /proc/sys/kernel/pid_max)  threads-max: $(cat /proc/sys/kernel/threads-max)"
  echo "node: $(node --version)"
} >"$out/machine.txt"

run() { # name, command...: output to $out/name.log, exit status kept
  local name=$1
  shift
  echo "== $name: $*" | tee "$out/$name.log"
  "$@" 2>&1 | tee -a "$out/$name.log" | tail -40
  return "${PIPESTATUS[0]}"
}

case "$part" in
  tests)
    # type checks and the native unit tests ran where it was built; here the tests that need this machine
    run tests node --import tsx --test --test-concurrency=1 --test-reporter=spec \
      test/cgroup-limits.test.ts test/cgroup-freeze.test.ts test/runner-density-ramp.test.ts test/engines-launch.test.ts \
      test/cli-rootless.test.ts test/runner-interference.test.ts test/runner-faults.test.ts test/cleanup-leftovers.test.ts test/launcher-namespaces.test.ts
    ;;
  cgroup)
    run cgroup node --import tsx scripts/perf-cgroup.ts --json "$out/cgroup.json"
    ;;
  density)
    run density node --import tsx scripts/perf-density.ts --target "${TARGET:-10000}" --reps "${REPS:-3}" --budget "${BUDGET:-900}" --json "$out/density.json"
    ;;
  overhead)
    run overhead node bin/nsbench.js run cgroup-overhead freeze --rounds "${ROUNDS:-10}" --out "$out" -q --no-report
    ;;
  kernel)
    [ -e /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
    run kernel-doctor sh -c 'node bin/nsbench.js doctor 2>&1 | grep "kernel tracing"'
    run kernel-split node bin/nsbench.js run boot --kernel-trace functions --rounds "${ROUNDS:-8}" --warmup 1 --out "$out/kernel" -q
    cat >"$out/footprint.ts" <<'EOF'
export default { name: 'footprint', description: 'kernel footprint of the sieve: bare against all eight', workload: { builtin: 'sieve', args: ['1000000', '1'] }, kernelTrace: { footprint: true }, variants: [{ id: 'bare', ns: [] }, { id: 'all', ns: ['user', 'pid', 'net', 'ipc', 'mnt', 'uts', 'cgroup', 'time'] }], rounds: 4, warmup: 1 };
EOF
    run kernel-footprint node bin/nsbench.js run "$out/footprint.ts" --out "$out/kernel" -q
    for f in "$out"/kernel/*.json; do node bin/nsbench.js report "$f" --out "$out/kernel" >/dev/null; done
    run kernel-tests node --import tsx --test --test-concurrency=1 --test-reporter=spec test/runner-kernel-trace.test.ts test/doctor-tracing.test.ts
    ;;
  *)
    echo "error: unknown part \"$part\" — use tests, cgroup, density, overhead or kernel" >&2
    exit 2
    ;;
esac

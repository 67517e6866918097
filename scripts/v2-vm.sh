#!/usr/bin/env bash
# A cgroup v2 machine with controllers, on a machine that has none: boots
# Debian's own kernel (linux-image-amd64) under QEMU and runs one command in
# this checkout there, as root, with
#   - the unified hierarchy alone at /sys/fs/cgroup (no v1 hierarchy mounted,
#     so every controller is v2's) and cpu, cpuset, io, memory, pids enabled
#     at the root with the shell in /init.scope, and the fd limits (soft
#     1024, hard 524288), as systemd lays them out;
#   - this machine's / as the root file system (9p, read-only) under a tmpfs
#     overlay, so node, node_modules, the built launcher and the installed
#     tools are the ones here, and writes vanish with the VM;
#   - an ext4 disk on virtio-blk at /var/tmp, so io.max has a block device;
#   - $OUT (default results/v2vm) shared writable at the same path.
# KVM is used where /dev/kvm exists; otherwise software emulation (TCG),
# about 5–20× slower: timings taken there show the v2 path works and how
# figures compare inside the VM, not what the hardware costs.
#
#   scripts/v2-vm.sh [-m MEM] [-c CPUS] [-t SECONDS] -- COMMAND [ARGS...]
#   e.g. scripts/v2-vm.sh -- scripts/device-proof.sh tests
#
# Needs root (or a user who may run qemu), apt for the first run (qemu, kmod,
# busybox-static and the kernel package; downloaded into .v2vm/, ignored by
# git), about 1 GiB in .v2vm/. The command's exit status is this script's.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mem=8G cpus=$(nproc) limit=3600
while getopts m:c:t: o; do
  case $o in
    m) mem=$OPTARG ;;
    c) cpus=$OPTARG ;;
    t) limit=$OPTARG ;;
    *) echo "usage: scripts/v2-vm.sh [-m MEM] [-c CPUS] [-t SECONDS] -- COMMAND [ARGS...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = -- ] && shift
if [ $# -eq 0 ]; then
  echo "error: no command given — scripts/v2-vm.sh -- COMMAND [ARGS...] (run in this checkout's root inside the VM)" >&2
  exit 2
fi
out=$(realpath -m "${OUT:-results/v2vm}")
mkdir -p "$out"
cache=$repo/.v2vm
mkdir -p "$cache"

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v modprobe >/dev/null || need+=(kmod)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v cpio >/dev/null || need+=(cpio)
if [ ${#need[@]} -gt 0 ]; then
  echo "v2-vm: installing ${need[*]}" >&2
  apt-get install -y -qq "${need[@]}" >/dev/null || { echo "error: could not install ${need[*]} — run apt-get update, then apt-get install ${need[*]}" >&2; exit 2; }
fi

# The kernel and busybox, once.
if [ ! -f "$cache/kver" ]; then
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
  [ -n "$pkg" ] || { echo "error: apt knows no linux-image-amd64 — run apt-get update first" >&2; exit 2; }
  rm -rf "$cache/debs" "$cache/k" && mkdir -p "$cache/debs" "$cache/k"
  (cd "$cache/debs" && apt-get download -qq "$pkg" busybox-static 2>&1 | grep -v unsandboxed || true)
  for d in "$cache"/debs/*.deb; do dpkg -x "$d" "$cache/k"; done
  kver=${pkg#linux-image-}
  depmod -b "$cache/k" "$kver"
  echo "$kver" >"$cache/kver"
fi
kver=$(cat "$cache/kver")
kdir=$cache/k/lib/modules/$kver

# The initramfs: busybox, the modules to reach the root, and /init.
if [ ! -f "$cache/initrd.cpio.gz" ] || [ "$0" -nt "$cache/initrd.cpio.gz" ]; then
  ird=$(mktemp -d)
  mkdir -p "$ird"/{bin,mods,proc,sys,dev,lower,upper,newroot}
  cp "$cache/k/bin/busybox" "$ird/bin/busybox"
  mods=$(for m in virtio_pci 9pnet_virtio 9p overlay virtio_blk ext4; do modprobe -d "$cache/k" -S "$kver" --show-depends "$m"; done | awk '$1 == "insmod" && !seen[$2]++ {print $2}')
  : >"$ird/mods/order"
  for m in $mods; do cp "$m" "$ird/mods/" && basename "$m" >>"$ird/mods/order"; done
  cat >"$ird/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m 2>/dev/null; done
out=$(sed -n 's/.* v2vm.out=\([^ ]*\).*/\1/p' /proc/cmdline)
kdir=$(sed -n 's/.* v2vm.kdir=\([^ ]*\).*/\1/p' /proc/cmdline)
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,ro hostroot /lower || { echo "v2-vm: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o size=75% tmpfs /upper
mkdir -p /upper/u /upper/w
mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || { echo "v2-vm: cannot mount the overlay root"; poweroff -f; }
n=/newroot
mkdir -p $n/proc $n/sys $n/dev $n/run $n/tmp $n/var/tmp $n/lib/modules/$(uname -r)
mount -t tmpfs run $n/run; mount -t tmpfs -o mode=1777 tmp $n/tmp
mkdir -p $n/run/netns $n/run/lock $n$out
mount /dev/vda $n/var/tmp && chmod 1777 $n/var/tmp
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out $n$out
mount --bind $n$kdir $n/lib/modules/$(uname -r)
mount --move /proc $n/proc; mount --move /sys $n/sys; mount --move /dev $n/dev
mkdir -p $n/dev/pts $n/dev/shm $n/dev/mqueue
mount -t devpts devpts $n/dev/pts; mount -t tmpfs shm $n/dev/shm; mount -t mqueue mqueue $n/dev/mqueue
mount -t cgroup2 -o nsdelegate cgroup2 $n/sys/fs/cgroup
exec switch_root $n /bin/sh -c '
  echo /usr/sbin/modprobe >/proc/sys/kernel/modprobe
  mkdir /sys/fs/cgroup/init.scope && echo $$ >/sys/fs/cgroup/init.scope/cgroup.procs
  for c in cpu cpuset io memory pids; do echo +$c >/sys/fs/cgroup/cgroup.subtree_control; done
  hostname nsbench-v2vm; ip link set lo up
  ulimit -Hn 524288; ulimit -Sn 1024  # what systemd gives its services
  export HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 OUT='"$out"' NSB_LOAD_TIMEOUT_MS=120000
  cd "$(cat '"$out"'/.v2vm-cwd)"
  echo "v2-vm: $(uname -r), $(nproc) cpus, cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
  sh '"$out"'/.v2vm-cmd; echo $? >'"$out"'/.v2vm-rc
  sync; poweroff -f
'
EOF
  chmod +x "$ird/init"
  (cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initrd.cpio.gz"
  rm -rf "$ird"
fi

# A fresh disk for /var/tmp each time.
rm -f "$cache/vartmp.img"
truncate -s 4G "$cache/vartmp.img"
mkfs.ext4 -q -F "$cache/vartmp.img"

printf '%s\n' "$repo" >"$out/.v2vm-cwd"
printf '%q ' "$@" >"$out/.v2vm-cmd"
rm -f "$out/.v2vm-rc"
accel=tcg,thread=multi
[ -w /dev/kvm ] && accel=kvm
echo "v2-vm: booting $kver ($accel, $cpus cpus, $mem), output in $out" >&2
timeout --foreground "$limit" qemu-system-x86_64 -accel "$accel" -cpu "${V2VM_CPU:-Nehalem}" -smp "$cpus" -m "$mem" \
  -kernel "$cache/k/boot/vmlinuz-$kver" -initrd "$cache/initrd.cpio.gz" \
  -append "console=ttyS0 quiet panic=-1 v2vm.out=$out v2vm.kdir=$kdir" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
  -virtfs "local,path=$out,mount_tag=out,security_model=passthrough" \
  -drive "file=$cache/vartmp.img,if=virtio,format=raw,cache=unsafe" \
  -nic none -nographic -no-reboot || true
rm -f "$cache/vartmp.img" "$out/.v2vm-cwd" "$out/.v2vm-cmd"
if [ ! -f "$out/.v2vm-rc" ]; then
  echo "error: the VM ended without the command's exit status (timed out after ${limit}s, or failed to boot) — see the console output above" >&2
  exit 124
fi
rc=$(cat "$out/.v2vm-rc")
rm -f "$out/.v2vm-rc"
exit "$rc"

#!/bin/bash
# Builds the pure cgroup v2 test guest into build/vm/: an uncompressed kernel (vmlinux) taken from
# Debian's generic kernel package, and an initramfs of busybox-static, the virtio/9p/overlay modules
# and vm/guest-init.sh as /init. Installs the Debian packages it needs. Idempotent: a second run
# with nothing changed does nothing. Nothing it makes is committed.
#
# Env: VM_KERNEL_PKG  kernel package to use (default: what linux-image-amd64 depends on, resolved
#                     once and remembered in build/vm/kernel.pkg; delete that file to re-resolve).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/vm
mkdir -p "$out"

log() { echo "build-guest: $*" >&2; }
die() { log "$*"; exit 1; }

# Concurrent runs (two `vm/run.sh` at once) must not build over each other.
exec 9>"$out/.lock"
flock 9

apt_updated=
apt_update() { [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }; }

# qemu-system-x86 runs the guest; busybox-static is the initramfs's userland; xz-utils unpacks the
# kernel. --no-install-recommends: the GUI, UEFI firmware and block extras are not needed.
missing=
for p in qemu-system-x86 busybox-static xz-utils; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || die "missing Debian packages:$missing (run as root to install them)"
  log "installing$missing"
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The kernel: downloaded with apt-get and unpacked into build/vm, not installed, so the host's
# /boot and /lib/modules stay untouched and no initramfs-tools hook runs on the host.
resolve_kernel() {
  apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}
kpkg=${VM_KERNEL_PKG:-}
if [ -z "$kpkg" ] && [ -s "$out/kernel.pkg" ]; then kpkg=$(cat "$out/kernel.pkg"); fi
if [ -z "$kpkg" ]; then
  kpkg=$(resolve_kernel)
  if [ -z "$kpkg" ]; then apt_update; kpkg=$(resolve_kernel); fi
  [ -n "$kpkg" ] || die "cannot resolve the kernel package behind linux-image-amd64"
fi

kdir="$out/kernel"
# Only the compressed kernel and the module directories the guest loads from the initramfs; the
# stamp holds this list, so changing it re-extracts.
kernel_files=(
  './boot/vmlinuz-*'
  './lib/modules/*/kernel/drivers/virtio/*'
  './lib/modules/*/kernel/drivers/char/hw_random/*'
  './lib/modules/*/kernel/drivers/block/virtio_blk.ko'
  './lib/modules/*/kernel/net/9p/*'
  './lib/modules/*/kernel/fs/9p/*'
  './lib/modules/*/kernel/fs/netfs/*'
  './lib/modules/*/kernel/fs/fscache/*'
  './lib/modules/*/kernel/fs/overlayfs/*'
)
case "$kpkg" in *cloud*) die "$kpkg: the cloud kernel lacks 9p; use a generic linux-image-*-amd64";; esac
if [ "$(cat "$kdir/$kpkg.ok" 2>/dev/null)" != "${kernel_files[*]}" ]; then
  log "fetching $kpkg"
  rm -rf "$out/deb"
  mkdir -p "$out/deb"
  download() { (cd "$out/deb" && apt-get download -qq -o APT::Sandbox::User=root "$kpkg"); }
  if ! download 2>/dev/null; then
    # Stale package lists, or an ABI bump removed that package from the archive: refresh, and
    # unless a package was asked for, take the one linux-image-amd64 now depends on.
    apt_update
    [ -n "${VM_KERNEL_PKG:-}" ] || kpkg=$(resolve_kernel)
    download || die "apt-get download $kpkg failed"
  fi
  deb=$(ls "$out"/deb/*.deb)
  # Replaced only once the download worked: a failure leaves the previous kernel usable.
  rm -rf "$kdir"
  mkdir -p "$kdir"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir" --wildcards "${kernel_files[@]}"
  rm -rf "$out/deb"
  rm -f "$out/vmlinux"
  echo "$kpkg" > "$out/kernel.pkg"
  echo "${kernel_files[*]}" > "$kdir/$kpkg.ok"
fi

# QEMU boots an ELF vmlinux directly (PVH entry), which under TCG is seconds faster than letting
# the bzImage decompress itself. The vmlinuz is a boot stub followed by one compressed stream:
# find the stream's magic and unpack from there, trying each format Debian has used.
if [ ! -s "$out/vmlinux" ]; then
  vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
  extract() { # magic-regex decompress-command...
    local magic=$1; shift
    local off
    for off in $(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | cut -d: -f1); do
      if tail -c +$((off + 1)) "$vmlinuz" | "$@" > "$out/vmlinux.tmp" 2>/dev/null || [ -s "$out/vmlinux.tmp" ]; then
        if [ "$(head -c 4 "$out/vmlinux.tmp")" = $'\x7fELF' ]; then mv "$out/vmlinux.tmp" "$out/vmlinux"; return 0; fi
      fi
    done
    return 1
  }
  extract '\xfd7zXZ\x00' xz -dc --single-stream ||
    extract '\x28\xb5\x2f\xfd' zstd -dc ||
    extract '\x1f\x8b\x08' gzip -dc ||
    { rm -f "$out/vmlinux.tmp"; die "$vmlinuz: no xz, zstd or gzip payload that unpacks to an ELF vmlinux"; }
  log "extracted $out/vmlinux from $(basename "$vmlinuz")"
fi

# The initramfs: rebuilt when this script, the init or busybox changed.
cpio="$out/initramfs.cpio"
if [ ! -s "$cpio" ] || [ vm/build-guest.sh -nt "$cpio" ] || [ vm/guest-init.sh -nt "$cpio" ] || [ /bin/busybox -nt "$cpio" ] \
   || [ "$kdir/$kpkg.ok" -nt "$cpio" ]; then
  stage="$out/initramfs"
  rm -rf "$stage"
  mkdir -p "$stage"/{bin,dev,proc,sys,lower,rw,newroot,modules}
  cp /bin/busybox "$stage/bin/busybox"
  for applet in $(/bin/busybox --list); do [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"; done
  cp vm/guest-init.sh "$stage/init"
  chmod 755 "$stage/init"
  # The kernel gives init its stdio on /dev/console before anything is mounted.
  mknod -m 600 "$stage/dev/console" c 5 1

  # Modules in load order: each after the modules its .modinfo says it depends on.
  moddir=$(ls -d "$kdir"/lib/modules/*/kernel)
  order=()
  modfile() { find "$moddir" -name "$(echo "$1" | sed 's/[-_]/[-_]/g').ko" | head -1; }
  want() {
    local name=$1 f dep
    for dep in "${order[@]}"; do [ "$dep" != "$name" ] || return 0; done
    f=$(modfile "$name")
    [ -n "$f" ] || die "module $name not found in $kpkg"
    for dep in $(tr '\0' '\n' < "$f" | sed -n 's/^depends=//p' | tr ',' ' '); do want "$dep"; done
    order+=("$name")
    cp "$f" "$stage/modules/$name.ko"
  }
  for m in virtio_pci 9pnet_virtio 9p overlay virtio_rng virtio_blk; do want "$m"; done
  printf '%s\n' "${order[@]}" > "$stage/modules/order"

  (cd "$stage" && find . | sort | /bin/busybox cpio -o -H newc 2>/dev/null) > "$cpio.tmp"
  mv "$cpio.tmp" "$cpio"
  log "built $cpio (modules: ${order[*]})"
fi

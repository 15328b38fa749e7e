#!/bin/bash
# Runs a busybox container through hull: the bundle is build/demo with the
# rootfs from build/rootfs and the default config of `hull spec`.
set -euo pipefail
cd "$(dirname "$0")/.."
hull=packages/runtime/bin/hull
bundle=build/demo
rm -rf "$bundle" && mkdir -p "$bundle"
ln -s ../rootfs "$bundle/rootfs"
(cd "$bundle" && ../../$hull spec)
# Not a terminal: print what the container sees.
sed -i -e 's/"terminal": true/"terminal": false/' \
  -e 's|"sh"|"sh", "-c", "echo hello from a hull container; echo hostname: $(hostname); echo pid: $$; id; ls /"|' "$bundle/config.json"
id=hull-demo-$$
echo "+ hull run $id (bundle $bundle)"
sudo_prefix=""
[ "$(id -u)" = 0 ] || sudo_prefix="sudo"
$sudo_prefix "$hull" run --bundle "$bundle" "$id"

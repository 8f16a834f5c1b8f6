#!/bin/bash
# tests/qemu/stack-tests.sh - the stacked test disks (tests/qemu/stack.sh)
# are what their recipes say, checked without our /init: one boot of the
# builder guest over every cached stack (writes dropped) assembles each
# stack alone with the host's lvm and mdadm and finds the marker root's
# UUID (or the swap's) with blkid.  A stack missing from the cache is built
# first (once per recipe: about half a minute each under TCG).  Prints
# "ok stack NAME" / "not ok stack NAME: WHY".
#   STACKS="a b"   only these stacks
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/stack.sh"
ensure_kernel || { echo "not ok stack-kernel-available"; exit 0; }
[ -x "$TOP/mkinitramfs" ] || { echo "not ok stack-generator-built: make all first"; exit 0; }
read -ra names <<< "${STACKS:-$(stack_names | tr '\n' ' ')}"
stack_verify "${names[@]}"

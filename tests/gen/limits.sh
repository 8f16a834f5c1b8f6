#!/bin/bash
# tests/gen/limits.sh - what the generator writes, /init takes: a module
# database of every module of the test kernel (a set listing kernel/*)
# loads whole in /init's own parser (build/moddb-load, a host build with
# sanitizers), and what /init could still not take is refused with a
# message, the previous image left as it was.  Prints "ok NAME" /
# "not ok NAME: why".
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok gen-limits-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-limits.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
MK="$TOP/mkinitramfs"
LOAD="$TOP/build/moddb-load"
MODDIR=$KROOT/lib/modules/$KVER

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
[ -x "$LOAD" ] || { notok gen-limits-moddb-load "build/moddb-load missing: make unit"; exit 0; }

# --- every module of the kernel ------------------------------------------
echo 'kernel/*' > "$WORK/all"
# uncompressed: only the database is read here (the modules make ~400 MB)
if "$MK" -k "$KVER" -b "$KROOT" -M "$WORK/all" -c none -o "$WORK/all.img" 2>"$WORK/all.err"; then
	ok gen-limits-all-modules-builds
else
	notok gen-limits-all-modules-builds "$(grep -v 'wants firmware' "$WORK/all.err" | tail -2 | tr '\n' ' ')"
	exit 0
fi
cpio -i --quiet --to-stdout etc/initkit/modules.db < "$WORK/all.img" > "$WORK/db" 2>/dev/null
rm -f "$WORK/all.img"
nmod=$(grep -c $'^m\t' "$WORK/db")
nalias=$(grep -c $'^a\t' "$WORK/db")
ncpu=$(grep -c $'^c\t' "$WORK/db")
ntree=$(wc -l < "$MODDIR/modules.dep")
# every module of the tree is in it, and more than the old fixed tables held
check gen-limits-db-every-module test "$nmod" -eq "$ntree"
check gen-limits-db-past-old-limits test "$nmod" -gt 2048 -a "$nalias" -gt 16384 \
	-a "$(stat -c %s "$WORK/db")" -gt 1048576
"$LOAD" "$WORK/db" pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00 \
	virtio:d00000002v00001AF4 fs-ext4 > "$WORK/load" 2>&1
rc=$?
check gen-limits-db-loads test "$rc" -eq 0
check gen-limits-db-all-records grep -qx "modules $nmod aliases $nalias cpu $ncpu buses [0-9]*" "$WORK/load"
# more buses than the 16 /init kept, the ones of the test VM's disk among them
nbuses=$(sed -n 's/^modules .* buses \([0-9]*\)$/\1/p' "$WORK/load")
check gen-limits-db-buses sh -c "[ '${nbuses:-0}' -gt 16 ] && grep '^buses:' '$WORK/load' | grep -qw virtio &&
	grep '^buses:' '$WORK/load' | grep -qw pci && ! grep '^buses:' '$WORK/load' | grep -q 'major'"
check gen-limits-db-matches sh -c "grep -qx 'pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00: virtio_pci' '$WORK/load' &&
	grep -qx 'virtio:d00000002v00001AF4: virtio_blk' '$WORK/load' && grep -qx 'fs-ext4: ext4' '$WORK/load'"

# --- what /init cannot take: refused, the previous image untouched --------
# A tree of two made-up modules (copies of dummy.ko): one whose name is
# longer than any the kernel allows, one with 300,000 aliases (a database
# of 19 MB).
FAKE=$WORK/fake
FMOD=$FAKE/lib/modules/$KVER
mkdir -p "$FMOD/kernel/drivers/net"
cp "$MODDIR/modules.builtin" "$MODDIR/modules.builtin.modinfo" "$FMOD/"
dummy=$(modinfo -b "$KROOT" -k "$KVER" -F filename dummy)
long=$(printf 'x%.0s' $(seq 70))
cp "$dummy" "$FMOD/kernel/drivers/net/$long.ko"
objcopy -O binary --only-section=.modinfo "$dummy" "$WORK/modinfo"
awk 'BEGIN { for (i = 0; i < 300000; i++)
	printf "alias=pci:v%08Xd*sv*sd*bc*sc*i*initkit-test-padding-padding%c", i, 0 }' >> "$WORK/modinfo"
cp "$dummy" "$FMOD/kernel/drivers/net/bigalias.ko"
objcopy --update-section .modinfo="$WORK/modinfo" "$FMOD/kernel/drivers/net/bigalias.ko"
depmod -b "$FAKE" "$KVER" 2>/dev/null
echo previous > "$WORK/prev.img"
"$MK" -k "$KVER" -b "$FAKE" -m bigalias -o "$WORK/prev.img" 2>"$WORK/err"
rc=$?
check gen-limits-refuses-over-16MiB sh -c "[ $rc -ne 0 ] && grep -q 'over the 16 MiB allowed' '$WORK/err' &&
	[ \"\$(cat '$WORK/prev.img')\" = previous ]"
echo previous > "$WORK/prev.img"
"$MK" -k "$KVER" -b "$FAKE" -m "$long" -o "$WORK/prev.img" 2>"$WORK/err"
rc=$?
check gen-limits-refuses-long-name sh -c "[ $rc -ne 0 ] && grep -q 'module $long .*names of up to 63 bytes' '$WORK/err' &&
	[ \"\$(cat '$WORK/prev.img')\" = previous ]"

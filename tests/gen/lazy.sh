#!/bin/bash
# tests/gen/lazy.sh - --lazy-modules (the default of --generic): each
# module gzipped on its own as NAME.ko.gz, all of them in the leading
# uncompressed member (the kernel copies them; /init inflates the ones it
# loads), the database naming the .ko.gz paths; byte-identical to the
# kernel's files once gunzipped; reproducible; off with --no-lazy-modules
# and LAZY_MODULES=no, on for any image with --lazy-modules; never for
# --format image.  Without either, the modules of the sets that say "store
# lazy" (md, lvm, luks: loaded on demand) only.  The chain of the root's
# likely file system (--fs-hint) stays plain, in the same leading member.
# Prints "ok NAME" / "not ok NAME: why".
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/initkit-lazy.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
if ! ensure_kernel 2> "$WORK/fetch.err"; then
	echo "not ok lazy-kernel-available: $(tail -1 "$WORK/fetch.err")"
	exit 0
fi
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")
MODDIR=$KROOT/lib/modules/$KVER

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
# modules IMAGE: the module paths --list shows, sorted
modules() { "$TOP/mkinitramfs" --list "$1" | awk '/\.ko(\.[a-z]+)?$/ { print $NF }' | sort; }

# --- the generic image (no hint: every module gzipped; see the end) -------
check lazy-generic-builds "${MK[@]}" --generic --fs-hint none -o "$WORK/g.img"
modules "$WORK/g.img" > "$WORK/g.mods"
check lazy-generic-has-modules test "$(wc -l < "$WORK/g.mods")" -ge 50
check lazy-generic-every-module-ko-gz sh -c "! grep -v '\.ko\.gz\$' '$WORK/g.mods'"
# the leading member, as GNU cpio reads it (the first archive only)
check lazy-generic-leading-uncompressed test "$(head -c 6 "$WORK/g.img")" = 070701
mkdir "$WORK/lead" && (cd "$WORK/lead" && cpio -id --quiet < "$WORK/g.img" 2>/dev/null)
(cd "$WORK/lead" && find . -type f | sed 's|^\./||' | sort) > "$WORK/g.lead"
check lazy-generic-leading-holds-every-module cmp "$WORK/g.mods" "$WORK/g.lead"
check lazy-generic-init-not-leading test ! -e "$WORK/lead/init"
# each file is a gzip of the kernel's module, byte for byte
bad=""
while read -r f; do
	rel=${f#lib/modules/$KVER/}
	gzip -t "$WORK/lead/$f" 2>/dev/null && zcat "$WORK/lead/$f" | cmp -s - "$MODDIR/${rel%.gz}" ||
		bad+=" $f"
done < "$WORK/g.mods"
check lazy-generic-gunzip-is-the-kernel-module test -z "$bad"
# the database /init loads by names the .ko.gz files
mkdir "$WORK/x" && "$TOP/mkinitramfs" --extract "$WORK/g.img" "$WORK/x" >/dev/null 2>&1
db=$WORK/x/etc/initkit/modules.db
check lazy-generic-db-names-ko-gz sh -c "test -s '$db' && \
	! awk -F '\t' '\$1 == \"m\" && \$3 !~ /\.ko\.gz\$/' '$db' | grep -q ."
check lazy-generic-db-paths-exist sh -c "awk -F '\t' '\$1 == \"m\" { print \$3 }' '$db' |
	while read -r p; do test -f '$WORK/x'\$p || { echo missing \$p; exit 1; }; done"
# most of the image is the uncompressed member: the kernel inflates little
lead=$(python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
i = 0
while d[i:i + 6] == b"070701":
    ns, fs = int(d[i + 94:i + 102], 16), int(d[i + 54:i + 62], 16)
    i = (i + 110 + ns + 3) & ~3
    i = (i + fs + 3) & ~3
print(i)' "$WORK/g.img")
check lazy-generic-compressed-rest-small test $(( $(stat -c %s "$WORK/g.img") - lead )) -lt 1000000
# reproducible
"${MK[@]}" --generic --fs-hint none -o "$WORK/g2.img" >/dev/null 2>&1
check lazy-generic-reproducible cmp "$WORK/g.img" "$WORK/g2.img"

# --- on and off ------------------------------------------------------------
"${MK[@]}" --generic --no-lazy-modules -o "$WORK/n.img" >/dev/null 2>&1
check lazy-off-by-flag sh -c "modules_n=\$('$TOP/mkinitramfs' --list '$WORK/n.img' | grep -c '\.ko\$');
	test \$modules_n -ge 50 && ! '$TOP/mkinitramfs' --list '$WORK/n.img' | grep -q '\.ko\.gz\$'"
printf 'LAZY_MODULES=no\n' > "$WORK/conf"
"${MK[@]}" -C "$WORK/conf" --generic -o "$WORK/c.img" >/dev/null 2>&1
check lazy-off-by-setting sh -c "! '$TOP/mkinitramfs' --list '$WORK/c.img' | grep -q '\.ko\.gz\$'"
printf 'LAZY_MODULES=yes\n' > "$WORK/conf"
"${MK[@]}" -C "$WORK/conf" -M virtio -M ext4 -o "$WORK/cs.img" >/dev/null 2>&1
check lazy-on-by-setting-ko-gz sh -c "'$TOP/mkinitramfs' --list '$WORK/cs.img' | grep -q 'ext4\.ko\.gz\$'"
printf 'LAZY_MODULES=maybe\n' > "$WORK/conf"
"${MK[@]}" -C "$WORK/conf" --generic -o "$WORK/bad.img" > "$WORK/bad.out" 2>&1
check lazy-bad-setting-named grep -q "LAZY_MODULES" "$WORK/bad.out"
"${MK[@]}" -M virtio -M ext4 -o "$WORK/s.img" >/dev/null 2>&1
check lazy-small-default-off sh -c "'$TOP/mkinitramfs' --list '$WORK/s.img' | grep -q 'ext4\.ko\$'"
"${MK[@]}" -M virtio -M ext4 --lazy-modules -o "$WORK/sl.img" >/dev/null 2>&1
check lazy-small-on-by-flag sh -c "'$TOP/mkinitramfs' --list '$WORK/sl.img' | grep -q 'ext4\.ko\.gz\$'"
# sets that say "store lazy" (md, lvm, luks): their modules only, by default
"${MK[@]}" -M virtio -M ext4 -M md -o "$WORK/md.img" >/dev/null 2>&1
modules "$WORK/md.img" > "$WORK/md.mods"
check lazy-set-md-gz sh -c "grep -q 'md-mod\.ko\.gz\$' '$WORK/md.mods' && grep -q 'raid1\.ko\.gz\$' '$WORK/md.mods' &&
	grep -q 'raid456\.ko\.gz\$' '$WORK/md.mods'"
check lazy-set-md-others-plain sh -c "grep -q '/ext4\.ko\$' '$WORK/md.mods' && grep -q '/virtio_blk\.ko\$' '$WORK/md.mods'"
"${MK[@]}" -M virtio -M ext4 -M lvm -M luks -o "$WORK/lv.img" >/dev/null 2>&1
check lazy-set-lvm-luks-gz sh -c "'$TOP/mkinitramfs' --list '$WORK/lv.img' | grep -q 'dm-mod\.ko\.gz\$' &&
	'$TOP/mkinitramfs' --list '$WORK/lv.img' | grep -q 'dm-crypt\.ko\.gz\$'"
"${MK[@]}" -M virtio -M ext4 -M md --no-lazy-modules -o "$WORK/mdn.img" >/dev/null 2>&1
check lazy-set-off-by-flag sh -c "'$TOP/mkinitramfs' --list '$WORK/mdn.img' | grep -q 'md-mod\.ko\$' &&
	! '$TOP/mkinitramfs' --list '$WORK/mdn.img' | grep -q '\.ko\.gz\$'"
"${MK[@]}" -M virtio -M ext4 -M md --format image -c gzip -o "$WORK/mde.img" >/dev/null 2>&1
zcat "$WORK/mde.img" > "$WORK/mde.raw" 2>/dev/null
check lazy-set-never-in-ext2-image sh -c "debugfs -R 'ls -p /lib/modules/$KVER/kernel/drivers/md' '$WORK/mde.raw' 2>/dev/null |
	grep -q '/md-mod\.ko/'"
"${MK[@]}" --generic --format image -c gzip -o "$WORK/e.img" >/dev/null 2>&1
zcat "$WORK/e.img" > "$WORK/e.raw" 2>/dev/null
check lazy-never-in-ext2-image sh -c "debugfs -R 'ls -p /lib/modules/$KVER/kernel/fs/ext4' '$WORK/e.raw' 2>/dev/null |
	grep -q '/ext4\.ko/' && ! debugfs -R 'ls -p /lib/modules/$KVER/kernel/fs/ext4' '$WORK/e.raw' 2>/dev/null |
	grep -q '\.ko\.gz/'"
# --- microcode stays first -------------------------------------------------
B=$WORK/base
mkdir -p "$B/lib/modules" "$B/lib/firmware/intel-ucode"
ln -s "$KROOT/lib/modules/$KVER" "$B/lib/modules/$KVER"
printf 'INTELUCODE' > "$B/lib/firmware/intel-ucode/06-3a-09"
"$TOP/mkinitramfs" -k "$KVER" -b "$B" --generic --fs-hint none --microcode -o "$WORK/mc.img" >/dev/null 2>&1
check lazy-microcode-first sh -c "cpio -it --quiet < '$WORK/mc.img' 2>/dev/null | head -5 |
	grep -qx kernel/x86/microcode/GenuineIntel.bin"
check lazy-microcode-then-modules sh -c "'$TOP/mkinitramfs' --list '$WORK/mc.img' | grep -q 'ext4\.ko\.gz\$'"
# --- the generic image's hint: the root's likely file system ----------------
hostfs=$(findmnt -n -o FSTYPE / 2>/dev/null | tail -1)
"${MK[@]}" --generic -o "$WORK/dh.img" >/dev/null 2>&1
rm -rf "$WORK/dh" && mkdir "$WORK/dh" && "$TOP/mkinitramfs" --extract "$WORK/dh.img" "$WORK/dh" >/dev/null 2>&1
check lazy-fs-hint-is-this-root sh -c "test \"\$(cat '$WORK/dh/etc/initkit/fs-hint' 2>/dev/null)\" = '$hostfs' || test -z '$hostfs'"
# the hinted type's chain (what /init loads for fs-ext4) is stored plain in
# the leading member, byte for byte the kernel's; every other module gzipped
"${MK[@]}" --generic --fs-hint ext4 -o "$WORK/eh.img" >/dev/null 2>&1
modules "$WORK/eh.img" > "$WORK/eh.mods"
grep '\.ko$' "$WORK/eh.mods" | sed 's,.*/,,' | sort > "$WORK/eh.plain"
printf '%s\n' crc16.ko crc32c-intel.ko crc32c_generic.ko ext4.ko jbd2.ko mbcache.ko > "$WORK/eh.want"
check lazy-fs-hint-chain-plain cmp "$WORK/eh.want" "$WORK/eh.plain"
check lazy-fs-hint-rest-gz test "$(grep -c '\.ko\.gz$' "$WORK/eh.mods")" -eq $(($(wc -l < "$WORK/g.mods") - 6))
rm -rf "$WORK/ehl" && mkdir "$WORK/ehl" && (cd "$WORK/ehl" && cpio -id --quiet < "$WORK/eh.img" 2>/dev/null)
check lazy-fs-hint-chain-leading-is-the-kernel-module sh -c "cmp '$WORK/ehl/lib/modules/$KVER/kernel/fs/ext4/ext4.ko' '$MODDIR/kernel/fs/ext4/ext4.ko' &&
	cmp '$WORK/ehl/lib/modules/$KVER/kernel/fs/jbd2/jbd2.ko' '$MODDIR/kernel/fs/jbd2/jbd2.ko' && test ! -e '$WORK/ehl/init'"
rm -rf "$WORK/eh" && mkdir "$WORK/eh" && "$TOP/mkinitramfs" --extract "$WORK/eh.img" "$WORK/eh" >/dev/null 2>&1
check lazy-fs-hint-db-names-plain sh -c "awk -F '\t' '\$1 == \"m\" { print \$3 }' '$WORK/eh/etc/initkit/modules.db' | grep -q '/ext4\.ko\$' &&
	awk -F '\t' '\$1 == \"m\" { print \$3 }' '$WORK/eh/etc/initkit/modules.db' | grep -q '/xfs\.ko\.gz\$'"
"${MK[@]}" --generic --fs-hint ext4 -o "$WORK/eh2.img" >/dev/null 2>&1
check lazy-fs-hint-reproducible cmp "$WORK/eh.img" "$WORK/eh2.img"
"${MK[@]}" --generic --fs-hint none -o "$WORK/nh.img" >/dev/null 2>&1
check lazy-fs-hint-none sh -c "'$TOP/mkinitramfs' --list '$WORK/nh.img' | grep -q 'ext4\.ko\.gz\$' &&
	! '$TOP/mkinitramfs' --list '$WORK/nh.img' | grep -q 'etc/initkit/fs-hint\$'"
"${MK[@]}" --generic --fs-hint xfs -o "$WORK/xh.img" >/dev/null 2>&1
rm -rf "$WORK/xh" && mkdir "$WORK/xh" && "$TOP/mkinitramfs" --extract "$WORK/xh.img" "$WORK/xh" >/dev/null 2>&1
check lazy-fs-hint-given test "$(cat "$WORK/xh/etc/initkit/fs-hint" 2>/dev/null)" = xfs
check lazy-fs-hint-xfs-plain sh -c "'$TOP/mkinitramfs' --list '$WORK/xh.img' | grep -q '/xfs\.ko\$' &&
	'$TOP/mkinitramfs' --list '$WORK/xh.img' | grep -q '/ext4\.ko\.gz\$'"
check lazy-fs-hint-small-none sh -c "! '$TOP/mkinitramfs' --list '$WORK/s.img' | grep -q 'fs-hint'"
"${MK[@]}" --generic --fs-hint 'ext4;x' -o "$WORK/bh.img" > "$WORK/bh.out" 2>&1
check lazy-fs-hint-bad-named sh -c "grep -q -- '--fs-hint ext4;x: a file system type' '$WORK/bh.out' && test ! -e '$WORK/bh.img'"
exit 0

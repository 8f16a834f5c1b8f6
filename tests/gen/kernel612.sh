#!/bin/bash
# tests/gen/kernel612.sh - the generator on Debian 12's 6.12 kernel
# (linux-image-6.12-amd64, lib.sh's ensure_kernel_612), whose modules are
# .ko.xz and which decompresses them itself (CONFIG_MODULE_DECOMPRESS=y):
# its modules go into the image as packaged, byte for byte, in the leading
# uncompressed member (not compressed twice, not decompressed), and --list
# and --extract show them.  The QEMU cases k612-* boot them.  A kernel that
# cannot be fetched is a failure.  Prints "ok NAME" / "not ok NAME: why".
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/initkit-k612.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
if ! ensure_kernel 2> "$WORK/fetch.err"; then
	echo "not ok k612-kernel-61-available: $(tail -1 "$WORK/fetch.err")"
	exit 0
fi
kver61=$KVER
if ! ensure_kernel_612 2> "$WORK/fetch.err"; then
	echo "not ok k612-kernel-available: $(tail -1 "$WORK/fetch.err")"
	exit 0
fi
MK="$TOP/mkinitramfs"
GEN=(-k "$KVER612" -b "$KROOT612")
MODDIR=$KROOT612/lib/modules/$KVER612

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}

# --- the kernel package, as this test takes it --------------------------
check k612-kernel-available test -f "$VMLINUZ612" -a -f "$MODDIR/modules.dep"
check k612-lib-keeps-kver test "$KVER" = "$kver61" -a "$KVER612" != "$KVER"
check k612-config-module-decompress grep -qx CONFIG_MODULE_DECOMPRESS=y "$KROOT612/boot/config-$KVER612"
check k612-config-compress-xz grep -qx CONFIG_MODULE_COMPRESS_XZ=y "$KROOT612/boot/config-$KVER612"
check k612-modules-are-ko-xz sh -c "test -f '$MODDIR/kernel/fs/ext4/ext4.ko.xz' && \
	! find '$MODDIR/kernel' -name '*.ko' | grep -q ."

# image_checks NAME IMAGE MIN: the modules of IMAGE (at least MIN) are the
# package's .ko.xz files byte for byte, all of them in the leading
# uncompressed member, and --list and --extract show them
image_checks() {
	local n=$1 img=$2 min=$3 f bad="" size
	"$MK" --list "$img" > "$WORK/$n.list"
	awk '/\.ko(\.[a-z]+)?$/ { print $NF }' "$WORK/$n.list" | sort > "$WORK/$n.mods"
	check "k612-$n-modules-listed" test "$(wc -l < "$WORK/$n.mods")" -ge "$min"
	check "k612-$n-only-ko-xz" sh -c "! grep -v '\.ko\.xz\$' '$WORK/$n.mods'"
	# --list's sizes are the package's: the files were not recompressed
	while read -r f; do
		size=$(awk -v p="$f" '$NF == p { print $5 }' "$WORK/$n.list")
		[ "$size" = "$(stat -c %s "$KROOT612/$f")" ] || bad+=" $f:$size"
	done < "$WORK/$n.mods"
	check "k612-$n-list-sizes-are-the-package's" test -z "$bad"
	# the leading member: GNU cpio reads the first archive only
	check "k612-$n-leading-member-uncompressed" test "$(head -c 6 "$img")" = 070701
	rm -rf "$WORK/$n.lead" && mkdir "$WORK/$n.lead"
	(cd "$WORK/$n.lead" && cpio -id --quiet < "$img" 2>/dev/null)
	(cd "$WORK/$n.lead" && find . -type f | sed 's|^\./||' | sort) > "$WORK/$n.leadfiles"
	check "k612-$n-leading-member-holds-every-module" cmp "$WORK/$n.mods" "$WORK/$n.leadfiles"
	bad=""
	while read -r f; do cmp -s "$WORK/$n.lead/$f" "$KROOT612/$f" || bad+=" $f"; done < "$WORK/$n.mods"
	check "k612-$n-leading-member-byte-identical" test -z "$bad"
	# ... then, where its newc entries end, a gzip member with the rest
	# (init, the database): the kernel's unpacker takes the two as one
	check "k612-$n-then-gzip" python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
i = 0
while d[i:i + 6] == b"070701":
    namesize, filesize = int(d[i + 94:i + 102], 16), int(d[i + 54:i + 62], 16)
    i = (i + 110 + namesize + 3) & ~3
    i = (i + filesize + 3) & ~3
while d[i:i + 1] == b"\0":
    i += 1
sys.exit(0 if d[i:i + 2] == b"\x1f\x8b" else "no gzip member at %d" % i)' "$img"
	check "k612-$n-init-not-leading" test ! -e "$WORK/$n.lead/init"
	# --extract: every module as packaged
	rm -rf "$WORK/$n.x" && mkdir "$WORK/$n.x"
	"$MK" --extract "$img" "$WORK/$n.x" 2> "$WORK/$n.xerr"
	bad=""
	while read -r f; do cmp -s "$WORK/$n.x/$f" "$KROOT612/$f" || bad+=" $f"; done < "$WORK/$n.mods"
	check "k612-$n-extract-byte-identical" test -z "$bad"
	check "k612-$n-extract-is-xz" xz -t "$WORK/$n.x/lib/modules/$KVER612/kernel/fs/ext4/ext4.ko.xz"
	# the database names the .ko.xz files, which /init hands to
	# finit_module with MODULE_INIT_COMPRESSED_FILE
	awk -F'\t' '$1 == "m" { print substr($3, 2) }' "$WORK/$n.x/etc/initkit/modules.db" | sort > "$WORK/$n.dbmods"
	check "k612-$n-db-names-the-ko-xz" cmp "$WORK/$n.mods" "$WORK/$n.dbmods"
}

# --- -M virtio -M ext4 --------------------------------------------------
if "$MK" "${GEN[@]}" -M virtio -M ext4 -o "$WORK/small.img" 2> "$WORK/small.err"; then
	ok k612-small-builds
else
	notok k612-small-builds "$(tail -1 "$WORK/small.err")"
fi
check k612-small-quiet test ! -s "$WORK/small.err"
image_checks small "$WORK/small.img" 7
# exactly the closure: virtio_pci is built into 6.12, ext4's softdep
# (crypto-crc32c) brings both crc32c drivers
check k612-small-exact-set test "$(sed 's|.*/||' "$WORK/small.mods" | sort | tr '\n' ' ')" = \
	"crc16.ko.xz crc32c-intel.ko.xz crc32c_generic.ko.xz ext4.ko.xz jbd2.ko.xz mbcache.ko.xz virtio_blk.ko.xz "
"$MK" "${GEN[@]}" -M virtio -M ext4 -v -o "$WORK/small-v.img" 2> "$WORK/small-v.err"
check k612-builtin-named grep -q 'virtio_pci is built into the kernel' "$WORK/small-v.err"
"$MK" "${GEN[@]}" -M virtio -M ext4 --threads 1 -o "$WORK/small2.img" 2>/dev/null
check k612-small-reproducible cmp "$WORK/small.img" "$WORK/small2.img"
# the compressor does not touch them either
"$MK" "${GEN[@]}" -M virtio -M ext4 -c zstd -o "$WORK/zstd.img" 2>/dev/null
rm -rf "$WORK/zstd.lead" && mkdir "$WORK/zstd.lead"
(cd "$WORK/zstd.lead" && cpio -id --quiet < "$WORK/zstd.img" 2>/dev/null)
check k612-zstd-leading-byte-identical cmp "$WORK/zstd.lead/lib/modules/$KVER612/kernel/fs/ext4/ext4.ko.xz" \
	"$MODDIR/kernel/fs/ext4/ext4.ko.xz"

# --- --generic ----------------------------------------------------------
if "$MK" "${GEN[@]}" --generic -o "$WORK/generic.img" 2> "$WORK/generic.err"; then
	ok k612-generic-builds
else
	notok k612-generic-builds "$(tail -1 "$WORK/generic.err")"
fi
check k612-generic-quiet sh -c "! grep -v 'wants firmware' '$WORK/generic.err'"
image_checks generic "$WORK/generic.img" 100
generic_has() { local m; for m in "$@"; do grep -q "/$m.ko.xz\$" "$WORK/generic.mods" || return 1; done; }
check k612-generic-has-every-bus generic_has ahci nvme virtio_blk xhci-pci usb-storage virtio_scsi sd_mod xfs btrfs ext4 vfat

# --- firmware named inside a .ko.xz (modinfo read through libkmod) ---------
B=$WORK/base
mkdir -p "$B/lib/modules" "$B/lib/firmware/e100"
ln -s "$MODDIR" "$B/lib/modules/$KVER612"
printf 'fw1' | xz -C crc32 > "$B/lib/firmware/e100/d101m_ucode.bin.xz"
"$MK" -k "$KVER612" -b "$B" -m e100 -o "$WORK/fw.img" 2> "$WORK/fw.err"
"$MK" --list "$WORK/fw.img" > "$WORK/fwlist"
check k612-firmware-of-ko-xz grep -q ' lib/firmware/e100/d101m_ucode.bin.xz$' "$WORK/fwlist"
check k612-firmware-missing-warns grep -q 'module e100 wants firmware e100/d101s_ucode.bin, which is not in' "$WORK/fw.err"

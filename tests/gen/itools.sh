#!/bin/bash
# tests/gen/itools.sh - initramfs-tools' calling forms on the test kernel's
# module tree, without a package: mkinitramfs -o OUT VERSION and its
# refusals, the generic default, --no-hostonly, the exit status that makes
# the kernel hook fall back, and update-initramfs on a fake /boot.
# (tests/deb.sh runs the same calls from the installed package in a
# Debian chroot.)  Prints "ok NAME" / "not ok NAME".
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok itools-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-itools.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK="$TOP/mkinitramfs"
NOCONF=$WORK/empty.conf
: > "$NOCONF"

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
# refuse NAME STATUS PATTERN ARG...: mkinitramfs ARG... fails with STATUS,
# says PATTERN and writes no image
refuse() {
	local name=$1 want=$2 pat=$3 rc=0; shift 3
	rm -f "$WORK/r.img"
	"$MK" -C "$NOCONF" -b "$KROOT" "$@" -o "$WORK/r.img" >"$WORK/err" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then notok "$name" "status $rc, not $want: $(head -1 "$WORK/err")"
	elif ! grep -qE -- "$pat" "$WORK/err"; then notok "$name" "message: $(head -1 "$WORK/err")"
	elif [ -e "$WORK/r.img" ]; then notok "$name" "an image was written"
	else ok "$name"; fi
}
has() { "$MK" --list "$1" | grep -q -- "$2"; }
nmods() { "$MK" --list "$1" | grep -c '\.ko' || true; }

# initramfs-tools' form: VERSION after the options is -k VERSION
"$MK" -C "$NOCONF" -b "$KROOT" -o "$WORK/pos.img" "$KVER"
"$MK" -C "$NOCONF" -b "$KROOT" -k "$KVER" -o "$WORK/k.img"
check itools-version-is-kver cmp "$WORK/pos.img" "$WORK/k.img"
# the safe default: no selection anywhere is --generic
"$MK" -C "$NOCONF" -b "$KROOT" -k "$KVER" --generic -o "$WORK/gen.img"
check itools-default-is-generic cmp "$WORK/pos.img" "$WORK/gen.img"
check itools-default-has-disk-drivers has "$WORK/pos.img" 'virtio_blk.ko\|nvme.ko'
"$MK" -C "$NOCONF" -b "$KROOT" -v -o "$WORK/v.img" "$KVER" 2> "$WORK/v.err"
check itools-default-said grep -q 'GENERIC=no opts out' "$WORK/v.err"
# a settings file that selects nothing is the same
printf 'COMPRESS=gzip\n' > "$WORK/nosel.conf"
"$MK" -C "$WORK/nosel.conf" -b "$KROOT" -o "$WORK/nosel.img" "$KVER"
check itools-default-conf-without-selection cmp "$WORK/pos.img" "$WORK/nosel.img"
printf 'GENERIC=no\n' > "$WORK/nogen.conf"
"$MK" -C "$WORK/nogen.conf" -b "$KROOT" -o "$WORK/nogen.img" "$KVER"
check itools-GENERIC=no-opts-out test "$(nmods "$WORK/nogen.img")" -eq 0
"$MK" -C "$NOCONF" -b "$KROOT" -M virtio -o "$WORK/sel.img" "$KVER"
check itools-selection-not-generic test "$(nmods "$WORK/sel.img")" -lt "$(nmods "$WORK/pos.img")"
# --no-hostonly beats HOSTONLY=yes (and, nothing else selected, is generic)
printf 'HOSTONLY=yes\n' > "$WORK/ho.conf"
"$MK" -C "$WORK/ho.conf" -b "$KROOT" --no-hostonly -o "$WORK/noho.img" "$KVER"
check itools-no-hostonly-overrides-settings cmp "$WORK/pos.img" "$WORK/noho.img"
# initramfs-tools' options that mean something else here
refuse itools-d-confdir-refused 2 "-d /etc/initramfs-tools: in initramfs-tools' form" \
	-d /etc/initramfs-tools "$KVER"
refuse itools-r-root-refused 2 "-r /dev/sda1: initramfs-tools' root device" -r /dev/sda1 "$KVER"
refuse itools-r-without-version 2 "-r: initramfs-tools' option" -k "$KVER" -r /dev/sda1
refuse itools-version-twice 2 "kernel version given twice" -k "$KVER" 9.9.9
refuse itools-two-versions 2 "unexpected argument '9.9.9'" "$KVER" 9.9.9
rm -f "$WORK/keep.img"
"$MK" -C "$NOCONF" -b "$KROOT" -k -o "$WORK/keep.img" "$KVER" 2> "$WORK/keep.err"
check itools-k-keep-warns grep -q "keep the temporary directory\" is ignored" "$WORK/keep.err"
check itools-k-keep-same-image cmp "$WORK/pos.img" "$WORK/keep.img"
"$MK" -C "$NOCONF" -b "$KROOT" --datadir "$TOP" -o "$WORK/dd.img" "$KVER"
check itools-long-datadir-works cmp "$WORK/pos.img" "$WORK/dd.img"
# --hostonly that cannot see the root: status 3 (the hooks fall back)
if unshare -m true 2>/dev/null; then
	rc=0
	unshare -m sh -c 'mount -t tmpfs none /sys && exec "$@"' sh \
		"$MK" -C "$NOCONF" -b "$KROOT" --hostonly -o "$WORK/ho.img" "$KVER" 2>/dev/null || rc=$?
	check itools-hostonly-blind-status-3 test "$rc" -eq 3
fi

# update-initramfs on a fake /boot; the generator as the tree's, with the
# test kernel's modules
B=$WORK/boot BASE=$WORK/base M=$WORK/base/lib/modules
mkdir -p "$B" "$M"
ln -s "$KROOT/lib/modules/$KVER" "$M/$KVER"
ln -s "$KROOT/lib/modules/$KVER" "$M/9.9.9-old"
touch "$B/vmlinuz-$KVER" "$B/vmlinuz-9.9.9-old"
cat > "$WORK/mk" <<EOT
#!/bin/sh
exec "$MK" -C "$NOCONF" -b "$BASE" "\$@"
EOT
chmod +x "$WORK/mk"
export INITKIT_MKINITRAMFS=$WORK/mk INITKIT_MODULES=$M
U="$TOP/kernel/update-initramfs"
uir() { "$U" -b "$B" "$@" > "$WORK/u.out" 2>&1; }
uir -c -k "$KVER"
check update-c-builds cmp "$WORK/pos.img" "$B/initrd.img-$KVER"
uir -d -k "$KVER"
check update-d-deletes test ! -e "$B/initrd.img-$KVER"
uir -c -k all
check update-c-all test -f "$B/initrd.img-$KVER" -a -f "$B/initrd.img-9.9.9-old"
touch -d @0 "$B/initrd.img-$KVER" "$B/initrd.img-9.9.9-old"
uir -u
# the newest kernel (sort -V: 9.9.9 is newer than 6.1)
check update-u-newest sh -c "[ \$(stat -c %Y '$B/initrd.img-9.9.9-old') -gt 0 ] && [ \$(stat -c %Y '$B/initrd.img-$KVER') -eq 0 ]"
uir -u -k all
check update-u-all test "$(stat -c %Y "$B/initrd.img-$KVER")" -gt 0
uir -d -k all
check update-d-all test -z "$(ls "$B" | grep initrd)"
touch "$B/initrd.img-9.9 x"	# a name that is no version: split, it would name 9.9
uir -d -k all
check update-all-odd-name-left sh -c "[ -e '$B/initrd.img-9.9 x' ] && grep -q 'not a kernel version; left alone' '$WORK/u.out'"
rm -f "$B/initrd.img-9.9 x"
rc=0; uir -c || rc=$?
check update-c-needs-k sh -c "[ $rc -eq 2 ] && grep -q -- '-c needs -k' '$WORK/u.out'"
rc=0; uir -c -k ../x || rc=$?
check update-bad-version sh -c "[ $rc -eq 2 ] && grep -q 'not a kernel version' '$WORK/u.out'"
rc=0; uir -u -c -k "$KVER" || rc=$?
check update-one-mode test "$rc" -eq 2
rc=0; uir -x || rc=$?
check update-unknown-option test "$rc" -eq 2
uir -c -t -v -k "$KVER"
check update-t-v-accepted test -f "$B/initrd.img-$KVER"
# HOSTONLY=yes where the root cannot be seen: generic, with a warning
if unshare -m true 2>/dev/null; then
	cat > "$WORK/mk" <<EOT
#!/bin/sh
exec "$MK" -C "$WORK/ho.conf" -b "$BASE" "\$@"
EOT
	rm -f "$B/initrd.img-$KVER"
	rc=0
	unshare -m sh -c 'mount -t tmpfs none /sys && exec "$@"' sh "$U" -b "$B" -c -k "$KVER" \
		> "$WORK/u.out" 2>&1 || rc=$?
	check update-hostonly-falls-back sh -c "[ $rc -eq 0 ] && grep -q 'with --generic instead' '$WORK/u.out' &&
		cmp '$WORK/pos.img' '$B/initrd.img-$KVER'"
	rm -f "$B/initrd.img-$KVER"
	rc=0
	INITKIT_BOOT=$B INITKIT_BASEDIR=$KROOT unshare -m sh -c 'mount -t tmpfs none /sys && exec "$@"' sh \
		"$TOP/kernel/postinst.d-initkit" "$KVER" > "$WORK/u.out" 2>&1 || rc=$?
	check hook-hostonly-falls-back sh -c "[ $rc -eq 0 ] && grep -q 'with --generic instead' '$WORK/u.out' &&
		test -f '$B/initrd.img-$KVER'"
fi
# the hooks left behind with no generator (remove without purge), or with
# another program of that name: quiet, nothing done
printf '#!/bin/sh\necho "usage: mkinitramfs [option]... -o outfile [version]"\n' > "$WORK/other"
chmod +x "$WORK/other"
for gen in "$WORK/nosuch" "$WORK/other"; do
	n=$(basename "$gen")
	rm -f "$B/initrd.img-9.9.9-old"
	rc=0
	INITKIT_MKINITRAMFS=$gen INITKIT_BOOT=$B "$TOP/kernel/postinst.d-initkit" 9.9.9-old > "$WORK/u.out" 2>&1 || rc=$?
	check "hook-postinst-quiet-$n" sh -c "[ $rc -eq 0 ] && [ ! -s '$WORK/u.out' ] && [ ! -e '$B/initrd.img-9.9.9-old' ]"
	rc=0
	INITKIT_MKINITRAMFS=$gen INITKIT_BOOT=$B "$TOP/kernel/postrm.d-initkit" "$KVER" > "$WORK/u.out" 2>&1 || rc=$?
	check "hook-postrm-quiet-$n" sh -c "[ $rc -eq 0 ] && [ ! -s '$WORK/u.out' ] && [ -e '$B/initrd.img-$KVER' ]"
done
check man-update-initramfs-lint mandoc -Tlint -W warning "$TOP/man/update-initramfs.8"

#!/bin/bash
# tests/deb.sh - the Debian package in a Debian 12 chroot: make deb, then in
# a copy of the QEMU tests' Debian root (tests/qemu/debroot.sh, made once
# with mmdebstrap and cached by a hash of its recipe), the swap from
# initramfs-tools to initkit, a kernel package's install building its image
# through our hook, every call other software makes, the kernel's removal,
# and the swap back to initramfs-tools.  Optionally (INITKIT_DEB_BOOT=1, or
# from tests/check.sh) the image the package built boots the real Debian
# root under QEMU to multi-user.target with no failed unit.
# Prints "ok NAME" / "not ok NAME", and "# " lines with the figures.
#
# Caches, in ~/.cache/initkit: debroot/ (the root's tarball), deb-apt/
# (apt's lists and the .debs of initramfs-tools and its dependencies, used
# as the chroot's apt cache), debs/ (the kernel package, apt-get download).
# A fresh machine fills them from Debian's archive.
set -u
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/qemu/debroot.sh"
ensure_kernel || { echo "not ok deb-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-deb.XXXXXX)
R=$WORK/root
APT=$CACHE/deb-apt
MOUNTS=()
T0=$(date +%s.%N)

# Unmount in reverse order; remove the tree only when nothing is mounted
# below it any more (the apt cache is bind-mounted: a removal through a
# mount would empty the cache, or worse).
cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null
	done
	if [ "${INITKIT_DEB_KEEP:-0}" = 1 ]; then
		echo "# deb.sh: kept $WORK" >&2
	elif grep -q " $WORK/" /proc/self/mounts; then
		echo "# deb.sh: $WORK still has mounts; left in place" >&2
	else
		rm -rf --one-file-system "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/check" 2>&1; then ok "$name"
	else notok "$name" "$(tail -3 "$WORK/check" "$WORK/out" 2>/dev/null | tr '\n' ' ')"; fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# ch CMD...: CMD in the chroot, with a clean environment
ch() {
	chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive HOME=/root "$@"
}
bindmount() {	# bindmount SRC DIR-IN-ROOT
	mkdir -p "$R$2" && mount --bind "$1" "$R$2" && MOUNTS+=("$R$2")
}
ch_apt() {	# apt-get in the chroot; an update first only if the lists lack it
	local o=(-y -q --no-install-recommends -o Acquire::Check-Valid-Until=false)
	ch apt-get "${o[@]}" "$@" > "$WORK/apt.log" 2>&1 && return 0
	ch apt-get -q -o Acquire::Check-Valid-Until=false update >> "$WORK/apt.log" 2>&1 &&
		ch apt-get "${o[@]}" "$@" >> "$WORK/apt.log" 2>&1
}
status_of() { ch dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null; }
is_ours() { ch mkinitramfs --list "$1" 2>/dev/null | grep -q ' init$'; }
has_ko() { ch mkinitramfs --list "$1" 2>/dev/null | grep -q "/$2\.ko"; }

# --- the package ---
if make -s -C "$TOP" deb > "$WORK/make.log" 2>&1; then ok deb-builds
else notok deb-builds "$(tail -3 "$WORK/make.log" | tr '\n' ' ')"; exit 1; fi
DEB=$(ls "$TOP"/build/deb/initkit_*_amd64.deb | tail -n 1)
echo "# $(basename "$DEB"): $(stat -c %s "$DEB") bytes, installed size $(dpkg-deb -f "$DEB" Installed-Size) KiB"
lintian --fail-on error,warning "$DEB" > "$WORK/lintian" 2>&1
check deb-lintian-clean sh -c "! grep -E '^[EW]:' '$WORK/lintian'"
check deb-provides test "$(dpkg-deb -f "$DEB" Provides)" = linux-initramfs-tool
check deb-conflicts-replaces sh -c "dpkg-deb -f '$DEB' Conflicts Replaces | grep -c 'initramfs-tools, initramfs-tools-core, linux-initramfs-tool' | grep -qx 2"
check deb-conffiles sh -c "dpkg-deb -I '$DEB' conffiles | sort | tr '\n' ' ' | grep -qx '/etc/kernel/postinst.d/initkit /etc/kernel/postrm.d/initkit /etc/mkinitramfs.conf '"
check deb-trigger sh -c "dpkg-deb -I '$DEB' triggers | grep -qx 'interest-noawait update-initramfs'"

# --- the kernel package (the test kernel's version) ---
KPKG=linux-image-$KVER
KDEB=$(ls "$CACHE/debs/${KPKG}_"*_amd64.deb 2>/dev/null | tail -n 1)
if [ -z "$KDEB" ]; then
	mkdir -p "$CACHE/debs"
	(cd "$CACHE/debs" && apt-get download "$KPKG" > "$WORK/kdl.log" 2>&1)
	KDEB=$(ls "$CACHE/debs/${KPKG}_"*_amd64.deb 2>/dev/null | tail -n 1)
fi
[ -n "$KDEB" ] || { notok deb-kernel-package "apt-get download $KPKG failed"; exit 1; }

# --- the root: Debian 12 (systemd, udev, kmod), then initramfs-tools ---
TAR=$(debroot_tar) || { notok deb-root "the Debian root could not be built"; exit 1; }
mkdir -p "$R"
tar -C "$R" --numeric-owner --xattrs --xattrs-include='*' -xf "$TAR" ||
	{ notok deb-root "tar -x $TAR"; exit 1; }
# /proc: dpkg and the generators read it; nothing of the host's /dev or /sys
mount -t proc proc "$R/proc" && MOUNTS+=("$R/proc")
mkdir -p "$APT/lists/partial" "$APT/archives/partial"
bindmount "$APT/lists" /var/lib/apt/lists
bindmount "$APT/archives" /var/cache/apt/archives
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"	# start no service
chmod 755 "$R/usr/sbin/policy-rc.d"
# the time the kernel package's postinst spends in the hooks: run-parts
# runs postinst.d in name order, so these two bracket ours or theirs
for h in 00-deb-t0 zz-deb-t1; do
	printf '#!/bin/sh\ndate +%%s.%%N > /tmp/%s\n' "$h" > "$R/etc/kernel/postinst.d/$h"
	chmod 755 "$R/etc/kernel/postinst.d/$h"
done
hook_secs() { secs "$(cat "$R/tmp/00-deb-t0")" "$(cat "$R/tmp/zz-deb-t1")"; }
cp "$DEB" "$R/tmp/initkit.deb"
cp "$KDEB" "$R/tmp/linux-image.deb"
ch_apt install initramfs-tools
check root-initramfs-tools-first test "$(status_of initramfs-tools)" = "ii "

# --- swap: dpkg -i initkit removes initramfs-tools ---
# (dpkg -i resolves nothing: its shared libraries first, from the archive)
ch_apt satisfy "$(dpkg-deb -f "$DEB" Depends)"
check deb-depends-satisfied test $? -eq 0
ch dpkg -i /tmp/initkit.deb > "$WORK/dpkg-i.log" 2>&1
check deb-installs test "$(status_of initkit)" = "ii "
check deb-removes-initramfs-tools sh -c "! chroot '$R' dpkg-query -W -f='\${db:Status-Abbrev}' initramfs-tools initramfs-tools-core 2>/dev/null | grep -q '^ii'"
check deb-mkinitramfs-is-ours sh -c "chroot '$R' mkinitramfs --help | grep -q -- '--list IMAGE'"
check deb-update-initramfs-is-ours grep -q 'initkit' "$R/usr/sbin/update-initramfs"

# --- the kernel package's postinst builds the image, through our hook ---
t=$(now)
ch dpkg -i /tmp/linux-image.deb > "$WORK/kernel-ours.log" 2>&1
T_OURS=$(secs "$t" "$(now)")
IMG=/boot/initrd.img-$KVER
check kernel-install-ok test "$(status_of "$KPKG")" = "ii "
check kernel-postinst-built-initkit-image is_ours "$IMG"
check kernel-postinst-said-initkit grep -q "initkit: building $IMG" "$WORK/kernel-ours.log"
# the safe default: the shipped settings select nothing, so generic
check kernel-image-generic sh -c "chroot '$R' mkinitramfs --list '$IMG' | grep -q '/virtio_blk\.ko' &&
	chroot '$R' mkinitramfs --list '$IMG' | grep -q '/nvme\.ko' && chroot '$R' mkinitramfs --list '$IMG' | grep -q '/ahci\.ko'"
echo "# dpkg -i $KPKG with initkit: $T_OURS s; image $(stat -c %s "$R$IMG") bytes"
echo "# ... of which the kernel hooks (postinst.d/initkit): $(hook_secs) s"

# --- initramfs-tools' calling forms ---
ch mkinitramfs -o /tmp/pos.img "$KVER" > "$WORK/out" 2>&1
check form-mkinitramfs-o-version cmp "$R/tmp/pos.img" "$R$IMG"
form_refused() {	# NAME PATTERN ARGS...: status 2, the message, no image
	local name=$1 pat=$2 rc=0; shift 2
	rm -f "$R/tmp/r.img"
	ch mkinitramfs "$@" -o /tmp/r.img "$KVER" > "$WORK/err" 2>&1 || rc=$?
	if [ "$rc" -ne 2 ]; then notok "$name" "status $rc: $(head -1 "$WORK/err")"
	elif ! grep -qE -- "$pat" "$WORK/err"; then notok "$name" "message: $(head -1 "$WORK/err")"
	elif [ -e "$R/tmp/r.img" ]; then notok "$name" "an image was written"
	else ok "$name"; echo "#   $(head -1 "$WORK/err")"; fi
}
form_refused form-d-confdir-refused "-d /etc/initramfs-tools: in initramfs-tools' form" -d /etc/initramfs-tools
form_refused form-r-root-refused "-r /dev/sda1: initramfs-tools' root device" -r /dev/sda1
ch mkinitramfs -k -o /tmp/k.img "$KVER" > "$WORK/err" 2>&1
check form-k-keep-ignored sh -c "grep -q 'keep the temporary directory' '$WORK/err' && cmp '$R/tmp/k.img' '$R$IMG'"
echo "#   $(head -1 "$WORK/err")"
ch mkinitramfs -v -o /tmp/v.img "$KVER" > "$WORK/err" 2>&1
check form-default-generic-said grep -q 'GENERIC=no opts out' "$WORK/err"
touch -d @0 "$R$IMG"
ch update-initramfs -u > "$WORK/out" 2>&1
check update-u sh -c "grep -q 'generating $IMG' '$WORK/out' && [ \$(stat -c %Y '$R$IMG') -gt 0 ] && cmp '$R$IMG' '$R/tmp/pos.img'"
ch update-initramfs -d -k "$KVER" > "$WORK/out" 2>&1
check update-d-k test ! -e "$R$IMG"
ch update-initramfs -c -k "$KVER" > "$WORK/out" 2>&1
check update-c-k cmp "$R$IMG" "$R/tmp/pos.img"
touch -d @0 "$R$IMG"
ch update-initramfs -u -k all > "$WORK/out" 2>&1
check update-u-k-all test "$(stat -c %Y "$R$IMG")" -gt 0
ch update-initramfs -d -k all > "$WORK/out" 2>&1
check update-d-k-all test ! -e "$R$IMG"
ch update-initramfs -c -k all > "$WORK/out" 2>&1
check update-c-k-all is_ours "$IMG"
# another package's maintainer script asks; the trigger runs it once
touch -d @0 "$R$IMG"
ch env DPKG_MAINTSCRIPT_PACKAGE=kmod update-initramfs -u > "$WORK/out" 2>&1
check trigger-deferred sh -c "grep -q 'deferring' '$WORK/out' && [ \$(stat -c %Y '$R$IMG') -eq 0 ]"
ch dpkg --triggers-only --pending > "$WORK/out" 2>&1
check trigger-rebuilds sh -c "grep -q 'generating $IMG' '$WORK/out' && [ \$(stat -c %Y '$R$IMG') -gt 0 ]"
# HOSTONLY=yes in a chroot: the root cannot be seen; generic, with a warning
cp "$R/etc/mkinitramfs.conf" "$WORK/conf.orig"
echo HOSTONLY=yes >> "$R/etc/mkinitramfs.conf"
rc=0; ch /etc/kernel/postinst.d/initkit "$KVER" "/boot/vmlinuz-$KVER" > "$WORK/out" 2>&1 || rc=$?
check hook-hostonly-chroot-falls-back sh -c "[ $rc -eq 0 ] && grep -q 'with --generic instead' '$WORK/out' &&
	cmp '$R$IMG' '$R/tmp/pos.img'"
rc=0; ch update-initramfs -c -k "$KVER" > "$WORK/out" 2>&1 || rc=$?
check update-hostonly-chroot-falls-back sh -c "[ $rc -eq 0 ] && grep -q 'with --generic instead' '$WORK/out'"
cp "$WORK/conf.orig" "$R/etc/mkinitramfs.conf"
# removed, not purged: the hooks stay (conffiles) and keep quiet
ch dpkg -r --force-depends initkit > "$WORK/out" 2>&1
rc=0; ch /etc/kernel/postinst.d/initkit "$KVER" > "$WORK/out" 2>&1 || rc=$?
check hook-quiet-after-remove sh -c "[ -x '$R/etc/kernel/postinst.d/initkit' ] && [ $rc -eq 0 ] && [ ! -s '$WORK/out' ]"
rc=0; ch /etc/kernel/postrm.d/initkit "$KVER" > "$WORK/out" 2>&1 || rc=$?
check hook-postrm-quiet-after-remove sh -c "[ $rc -eq 0 ] && [ ! -s '$WORK/out' ] && [ -e '$R$IMG' ]"
ch dpkg -i /tmp/initkit.deb > "$WORK/out" 2>&1
check deb-reinstalls test "$(status_of initkit)" = "ii "

# --- the image boots the real Debian root (QEMU, TCG: 30-90 s) ---
if [ "${INITKIT_DEB_BOOT:-0}" = 1 ]; then
	DISK=$(cached_disk debroot mkdisk_debroot "$DEBROOT_UUID" "$KVER") &&
		cp "$R$IMG" "$WORK/boot.img" && cp "$R/boot/vmlinuz-$KVER" "$WORK/vmlinuz"
	t=$(now)
	qemu_vm -t 240 -k "$WORK/vmlinuz" -i "$WORK/boot.img" -a "root=UUID=$DEBROOT_UUID ro" \
		-s "file:$WORK/boot.log" -- -drive "file=$DISK,if=virtio,format=raw,snapshot=on" </dev/null \
		>/dev/null 2>&1
	check boot-package-image-multi-user grep -q 'initkit-debroot: failed=0 state=running' "$WORK/boot.log"
	grep -q 'initkit-debroot: failed=0' "$WORK/boot.log" || tail -5 "$WORK/boot.log" | sed 's/^/#   /'
	echo "# boot to the report: $(secs "$t" "$(now)") s"
fi

# --- the kernel's removal takes its image ---
ch dpkg -r "$KPKG" > "$WORK/kernel-rm.log" 2>&1
check kernel-remove-deletes-image sh -c "[ ! -e '$R$IMG' ] && [ ! -e '$R$IMG.bak' ]"

# --- back to initramfs-tools: apt removes initkit, theirs builds ---
ch_apt install initramfs-tools
check itools-back-installed test "$(status_of initramfs-tools)" = "ii "
check itools-back-initkit-removed sh -c "[ \"\$(chroot '$R' dpkg-query -W -f='\${db:Status-Abbrev}' initkit)\" = 'rc ' ] &&
	[ ! -e '$R/usr/lib/initkit' ]"
check itools-back-mkinitramfs-theirs sh -c "! chroot '$R' mkinitramfs --help 2>&1 | grep -q -- '--list IMAGE'"
t=$(now)
ch dpkg -i /tmp/linux-image.deb > "$WORK/kernel-itools.log" 2>&1
T_ITOOLS=$(secs "$t" "$(now)")
check itools-back-builds sh -c "chroot '$R' lsinitramfs '$IMG' | grep -q 'scripts/local'"
check itools-back-our-hooks-quiet sh -c "! grep -q '^initkit' '$WORK/kernel-itools.log'"
echo "# dpkg -i $KPKG with initramfs-tools: $T_ITOOLS s; image $(stat -c %s "$R$IMG" 2>/dev/null) bytes"
echo "# ... of which the kernel hooks (postinst.d/initramfs-tools): $(hook_secs) s"
echo "# tests/deb.sh: $(secs "$T0" "$(now)") s"

#!/bin/bash
# tests/tinykernel.sh - a small x86-64 kernel for the legacy image-initrd flow.
#
# Debian's kernel has no ramdisk driver (BLK_DEV_RAM), so it cannot run an
# image-initrd (/linuxrc, /proc/sys/kernel/real-root-dev).  This builds one
# from Debian's linux-source-6.1: tinyconfig plus the options below, about
# 7 minutes on 2 CPUs, once, cached outside the clone under
# $CACHE/tinykernel/<source version>-<hash of the config recipe>/.
#
#   . tests/lib.sh; . tests/tinykernel.sh   (lib.sh is optional)
#   ensure_tiny_kernel        # builds if needed; sets TINY_BZIMAGE (exported)
#   tiny_kernel_selftest      # boots it in QEMU: initramfs, then image-initrd
#
#   bash tests/tinykernel.sh              # ensure_tiny_kernel, print the path
#   bash tests/tinykernel.sh --selftest   # the same, then the boot checks
#
# The kernel has no ACPI (a guest cannot power off) and no modules: boot it
# with -no-reboot and end the guest with reboot(), or panic=-1 after init
# exits.  It has no built-in network.  Only the build is cached: the
# unpacked source is removed afterwards (INITKIT_TINY_KEEP_SRC=1 keeps it).

CACHE=${CACHE:-${INITKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/initkit}}
declare -F log >/dev/null || log() { printf '%s\n' "$*" >&2; }

# Every one of these must end up =y in .config (checked after olddefconfig).
# The first line is the list from tests' needs; the second what they need to
# be usable here: /proc/sys (real-root-dev lives there) and devtmpfs mounted
# on the real root's /dev.
TINY_KCONFIG_Y="64BIT BLOCK BLK_DEV_INITRD RD_GZIP BLK_DEV BLK_DEV_RAM EXT2_FS
EXT4_FS PCI VIRTIO_MENU VIRTIO_PCI VIRTIO_BLK TTY SERIAL_8250 SERIAL_8250_CONSOLE
DEVTMPFS PROC_FS SYSFS BINFMT_ELF BINFMT_SCRIPT PRINTK PRINTK_TIME MULTIUSER FUTEX
PROC_SYSCTL SYSCTL DEVTMPFS_MOUNT"
# Values (KiB for the ramdisk: room for a few-MB ext2 image and more).
TINY_KCONFIG_VAL="BLK_DEV_RAM_COUNT=16 BLK_DEV_RAM_SIZE=32768"
TINY_RECIPE=1	# bump when the build steps change in a way that matters
TINY_PKGS="bc flex bison libelf-dev xz-utils build-essential"

# _tiny_install PKG...: apt-get install the ones not installed yet.
_tiny_install() {
	local p missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	log "tinykernel: installing$missing"
	[ "$(id -u)" = 0 ] || { log "tinykernel: need root to install$missing"; return 1; }
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >/dev/null 2>&1 && return 0
	apt-get update -qq >/dev/null 2>&1 || true
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >/dev/null || { log "tinykernel: apt-get install$missing failed"; return 1; }
}

# _tiny_source: sets TINY_TARBALL and TINY_SRCVER (the package's version).
_tiny_source() {
	local pkg
	# shellcheck disable=SC2012 # plain Debian file names
	TINY_TARBALL=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$TINY_TARBALL" ]; then
		_tiny_install linux-source-6.1 2>/dev/null || _tiny_install linux-source || return 1
		# shellcheck disable=SC2012
		TINY_TARBALL=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	fi
	[ -f "$TINY_TARBALL" ] ||
		{ log "tinykernel: no /usr/src/linux-source-6.1*.tar.xz after installing linux-source-6.1"; return 1; }
	pkg=$(dpkg -S "$TINY_TARBALL" 2>/dev/null | awk -F: 'NR == 1 { print $1 }')
	TINY_SRCVER=$(dpkg-query -W -f='${Version}' "${pkg:-linux-source-6.1}" 2>/dev/null)
	# not from a package: the tarball itself identifies the source
	[ -n "$TINY_SRCVER" ] || TINY_SRCVER=$(stat -c %s-%Y "$TINY_TARBALL")
}

# _tiny_config SRCDIR: tinyconfig + the options, repeated until all stick.
_tiny_config() {
	local src=$1 o args missing prev=none round kv
	make -C "$src" -s tinyconfig >/dev/null || return 1
	for round in 1 2 3 4 5; do
		args=()
		for o in $TINY_KCONFIG_Y; do args+=(-e "$o"); done
		for kv in $TINY_KCONFIG_VAL; do args+=(--set-val "${kv%%=*}" "${kv#*=}"); done
		"$src/scripts/config" --file "$src/.config" "${args[@]}" || return 1
		make -C "$src" -s olddefconfig >/dev/null || return 1
		missing=
		for o in $TINY_KCONFIG_Y; do
			grep -qx "CONFIG_$o=y" "$src/.config" || missing="$missing $o"
		done
		for kv in $TINY_KCONFIG_VAL; do
			grep -qx "CONFIG_$kv" "$src/.config" || missing="$missing $kv"
		done
		[ -n "$missing" ] || return 0
		log "tinykernel: config round $round: not set yet:$missing"
		[ "$missing" != "$prev" ] || break
		prev=$missing
	done
	log "tinykernel: FAILED to enable (dependencies unmet?):$missing"
	return 1
}

# ensure_tiny_kernel: builds the kernel once; sets TINY_BZIMAGE (and TINY_DIR,
# the cache directory: bzImage, config, build.log, build-seconds,
# kernelrelease, gen_init_cpio).
ensure_tiny_kernel() {
	local top key dir
	# shellcheck disable=SC2086 # word lists
	_tiny_install $TINY_PKGS || return 1
	_tiny_source || return 1
	# shellcheck disable=SC2086
	key=$(printf '%s\n' "$TINY_SRCVER" "$TINY_RECIPE" $TINY_KCONFIG_Y $TINY_KCONFIG_VAL |
		sha256sum | cut -c1-12)
	top=$CACHE/tinykernel
	dir=$top/$TINY_SRCVER-$key
	mkdir -p "$top" || return 1
	if [ ! -f "$dir/.complete" ]; then
		# one builder at a time; a second caller waits, then finds it done
		(
			flock 9 || exit 1
			[ -f "$dir/.complete" ] && exit 0
			rm -rf "$dir" && mkdir -p "$dir/src" || exit 1
			log "tinykernel: building $TINY_SRCVER ($key) in $dir (once, ~7 min on 2 CPUs)"
			t0=$(date +%s)
			tar -xJf "$TINY_TARBALL" -C "$dir/src" --strip-components=1 ||
				{ log "tinykernel: unpacking $TINY_TARBALL failed"; exit 1; }
			_tiny_config "$dir/src" || exit 1
			cp "$dir/src/.config" "$dir/config"
			export KBUILD_BUILD_USER=initkit KBUILD_BUILD_HOST=tinykernel
			if ! make -C "$dir/src" -j"$(nproc)" bzImage >"$dir/build.log" 2>&1; then
				tail -n 30 "$dir/build.log" >&2
				log "tinykernel: make bzImage failed (log: $dir/build.log)"
				exit 1
			fi
			cp "$dir/src/arch/x86/boot/bzImage" "$dir/bzImage" || exit 1
			make -C "$dir/src" -s kernelrelease >"$dir/kernelrelease" 2>/dev/null
			# a cpio writer that makes device nodes without root
			[ -x "$dir/src/usr/gen_init_cpio" ] &&
				cp "$dir/src/usr/gen_init_cpio" "$dir/gen_init_cpio"
			[ "${INITKIT_TINY_KEEP_SRC:-0}" = 1 ] || rm -rf "$dir/src"
			echo $(($(date +%s) - t0)) >"$dir/build-seconds"
			touch "$dir/.complete"
			log "tinykernel: built in $(cat "$dir/build-seconds") s," \
				"bzImage $(stat -c %s "$dir/bzImage") bytes"
		) 9>"$top/.lock" || return 1
	fi
	TINY_DIR=$dir
	TINY_BZIMAGE=$dir/bzImage
	export TINY_BZIMAGE TINY_DIR
}

# _tiny_prog OUT ROLE: the self-test's static klibc programs.
#   init   - PID 1 from an initramfs: checks /proc/sys/kernel/real-root-dev
#   linuxrc- /linuxrc in the image-initrd: writes vda's number to real-root-dev
#   root   - the real root's /sbin/init
# Each prints one TINYKERNEL-* token line to the console; init and root then
# reboot (the kernel has no ACPI power-off; QEMU runs with -no-reboot).
_tiny_prog() {
	local out=$1 role=$2 c
	c=$(mktemp --suffix=.c)
	cat >"$c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>

static void say(const char *s)
{
	(void)!write(1, s, strlen(s));
}

static int slurp(const char *path, char *buf, int size)
{
	int fd = open(path, O_RDONLY), n = -1;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return n;
}

int main(int argc, char *argv[])
{
	char line[512], rrd[32] = "";
	int n;

	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
#if ROLE_INIT
	n = snprintf(line, sizeof(line), "TINYKERNEL-INIT-OK pid=%d argc=%d argv0=%s",
		     (int)getpid(), argc, argv[0]);
	if (argc > 1)
		n += snprintf(line + n, sizeof(line) - n, " argv1=%s", argv[1]);
	n += snprintf(line + n, sizeof(line) - n, " real-root-dev=%s\n",
		      access("/proc/sys/kernel/real-root-dev", W_OK) == 0 ? "yes" : "no");
	say(line);
#elif ROLE_LINUXRC
	{
		char dev[32], num[32], *end;
		unsigned long ma, mi, enc;
		int fd;

		mkdir("/sys", 0755);
		mount("sysfs", "/sys", "sysfs", 0, NULL);
		if (slurp("/sys/block/vda/dev", dev, sizeof(dev)) <= 0) {
			say("TINYKERNEL-LINUXRC-FAIL no /sys/block/vda/dev\n");
			return 1;
		}
		ma = strtoul(dev, &end, 10);
		mi = strtoul(end + 1, NULL, 10);
		/* new_encode_dev(), as the kernel reads real-root-dev */
		enc = (mi & 0xff) | (ma << 8) | ((mi & ~0xffUL) << 12);
		n = snprintf(num, sizeof(num), "%lu\n", enc);
		fd = open("/proc/sys/kernel/real-root-dev", O_WRONLY);
		if (fd < 0 || write(fd, num, n) != n) {
			say("TINYKERNEL-LINUXRC-FAIL cannot write real-root-dev\n");
			return 1;
		}
		close(fd);
		slurp("/proc/sys/kernel/real-root-dev", rrd, sizeof(rrd));
		snprintf(line, sizeof(line),
			 "TINYKERNEL-LINUXRC-OK pid=%d vda=%s real-root-dev=%s\n",
			 (int)getpid(), dev, rrd);
		say(line);
		umount("/sys");
		umount("/proc");
		return 0;
	}
#elif ROLE_ROOT
	snprintf(line, sizeof(line), "TINYKERNEL-ROOT-OK pid=%d old-initrd-at-/initrd=%s\n",
		 (int)getpid(), access("/initrd/linuxrc", F_OK) == 0 ? "yes" : "no");
	say(line);
#endif
	sync();
	reboot(RB_AUTOBOOT, NULL);
	return 1;
}
EOF
	klcc -static -Os -s -DROLE_"${role^^}"=1 -o "$out" "$c"
	local rc=$?
	rm -f "$c"
	return $rc
}

# _tiny_boot NAME APPEND [QEMU ARGS...]: a bounded boot, serial log NAME.log
# in $TINY_WORK.
_tiny_boot() {
	local name=$1 append=$2
	shift 2
	: >"$TINY_WORK/$name.log"
	declare -F qemu_vm >/dev/null || . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
	INITKIT_QEMU_SHAPE="-smp 1" qemu_vm -t 120 -k "$TINY_BZIMAGE" -m 256 -a "$append" \
		-s "file:$TINY_WORK/$name.log" -- "$@" </dev/null
}

# _tiny_expect NAME PATTERN...: every (extended regex) pattern is in the log.
_tiny_expect() {
	local name=$1 p bad=0
	shift
	for p in "$@"; do
		grep -Eq -- "$p" "$TINY_WORK/$name.log" || { log "  $name: missing /$p/"; bad=1; }
	done
	if [ $bad = 1 ]; then
		log "---- $TINY_WORK/$name.log (tail)"; tail -n 40 "$TINY_WORK/$name.log" >&2
	fi
	return $bad
}

# tiny_kernel_selftest: boots TINY_BZIMAGE three times under QEMU (logs in
# $TINY_DIR/selftest):
#  1. initramfs: /init is a #! script (BusyBox sh from busybox-static if
#     installed, else the klibc program itself as interpreter) exec'ing a
#     static klibc program: checks both binfmts and real-root-dev;
#  2. image-initrd: a gzipped ext2 image with /linuxrc, root=/dev/vda (a
#     virtio ext4 disk whose /sbin/init prints a token); the kernel tries its
#     file systems in registration order, so the ext4 driver mounts the ext2
#     initrd (and "okay" after "Trying to move old root" is a line of its own);
#  3. the same with root=/dev/ram1: only the number /linuxrc writes to
#     real-root-dev can lead the kernel to the virtio disk.
tiny_kernel_selftest() {
	local w cpio rc=0 vda
	[ -n "${TINY_BZIMAGE:-}" ] || ensure_tiny_kernel || return 1
	_tiny_install klibc-utils libklibc-dev qemu-system-x86 e2fsprogs cpio || return 1
	TINY_WORK=$TINY_DIR/selftest
	w=$TINY_WORK
	rm -rf "$w" && mkdir -p "$w/initramfs" "$w/initrd" "$w/root" || return 1

	# 1. initramfs
	_tiny_prog "$w/initramfs/hello" init || return 1
	{
		echo "dir /dev 0755 0 0"
		echo "nod /dev/console 0600 0 0 c 5 1"
		echo "dir /proc 0755 0 0"
		echo "dir /bin 0755 0 0"
		echo "file /hello $w/initramfs/hello 0755 0 0"
		if [ -x /bin/busybox ] &&
			! readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; then
			printf '#!/bin/sh\necho "TINYKERNEL-SCRIPT-OK busybox sh pid=$$"\nexec /hello from-script\n' \
				>"$w/initramfs/init"
			echo "file /bin/busybox /bin/busybox 0755 0 0"
			echo "slink /bin/sh busybox 0777 0 0"
		else
			printf '#!/hello\n' >"$w/initramfs/init"
		fi
		echo "file /init $w/initramfs/init 0755 0 0"
	} >"$w/initramfs.list"
	if [ -x "$TINY_DIR/gen_init_cpio" ]; then
		"$TINY_DIR/gen_init_cpio" "$w/initramfs.list" | gzip -9n >"$w/initramfs.cpio.gz"
	else	# no gen_init_cpio: the same tree with real nodes (needs root)
		cpio=$w/initramfs.tree
		mkdir -p "$cpio/dev" "$cpio/proc" "$cpio/bin"
		mknod "$cpio/dev/console" c 5 1 || return 1
		cp "$w/initramfs/hello" "$w/initramfs/init" "$cpio/"
		grep -q busybox "$w/initramfs.list" && cp /bin/busybox "$cpio/bin/" &&
			ln -s busybox "$cpio/bin/sh"
		(cd "$cpio" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -9n >"$w/initramfs.cpio.gz"
	fi
	log "tinykernel selftest 1: initramfs"
	_tiny_boot initramfs "" -initrd "$w/initramfs.cpio.gz"
	_tiny_expect initramfs 'Run /init as init process' \
		'TINYKERNEL-INIT-OK pid=1 .*real-root-dev=yes' || rc=1
	grep -q busybox "$w/initramfs.list" && { _tiny_expect initramfs 'TINYKERNEL-SCRIPT-OK' || rc=1; }

	# 2./3. image-initrd: ext2 initrd with /linuxrc, ext4 root on virtio
	mkdir -p "$w/initrd/tree/proc" "$w/initrd/tree/sys" "$w/initrd/tree/dev"
	_tiny_prog "$w/initrd/tree/linuxrc" linuxrc || return 1
	mke2fs -q -F -t ext2 -d "$w/initrd/tree" -E root_owner=0:0 "$w/initrd.ext2" 4M >/dev/null &&
		gzip -9n -c "$w/initrd.ext2" >"$w/initrd.gz" || return 1
	mkdir -p "$w/root/tree/sbin" "$w/root/tree/proc" "$w/root/tree/dev" "$w/root/tree/initrd"
	_tiny_prog "$w/root/tree/sbin/init" root || return 1
	mke2fs -q -F -t ext4 -d "$w/root/tree" -E root_owner=0:0 "$w/root.ext4" 16M >/dev/null || return 1
	vda=(-drive "file=$w/root.ext4,format=raw,if=virtio")

	log "tinykernel selftest 2: image-initrd, root=/dev/vda"
	_tiny_boot initrd-vda "root=/dev/vda" -initrd "$w/initrd.gz" "${vda[@]}"
	_tiny_expect initrd-vda 'looks like an initrd' 'RAMDISK: gzip image found at block 0' \
		'VFS: Mounted root \((ext2|ext4) filesystem\) on device 1:0' \
		'TINYKERNEL-LINUXRC-OK pid=[0-9]+ vda=[0-9]+:0 real-root-dev=[0-9]+' \
		'VFS: Mounted root \(ext4 filesystem\) readonly on device' \
		'Trying to move old root to /initrd \.\.\.' '^\[ *[0-9.]+\] okay' \
		'Run /sbin/init as init process' \
		'TINYKERNEL-ROOT-OK pid=1 old-initrd-at-/initrd=yes' || rc=1

	log "tinykernel selftest 3: image-initrd, root=/dev/ram1 (real-root-dev decides)"
	_tiny_boot initrd-ram1 "root=/dev/ram1" -initrd "$w/initrd.gz" "${vda[@]}"
	_tiny_expect initrd-ram1 'RAMDISK: gzip image found at block 0' \
		'TINYKERNEL-LINUXRC-OK' 'VFS: Mounted root \(ext4 filesystem\) readonly on device' \
		'TINYKERNEL-ROOT-OK pid=1' || rc=1

	if [ $rc = 0 ]; then
		log "tinykernel selftest: all boots OK (logs: $w)"
	else
		log "tinykernel selftest: FAILED (logs: $w)"
	fi
	return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -o pipefail
	case ${1:-} in
	--selftest | "") ;;
	*) log "usage: bash $0 [--selftest]"; exit 2 ;;
	esac
	ensure_tiny_kernel || exit 1
	echo "$TINY_BZIMAGE"
	[ "${1:-}" != --selftest ] || tiny_kernel_selftest || exit 1
fi

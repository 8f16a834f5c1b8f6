# tests/lib.sh - shared by the QEMU boot tests, the demo and the benchmarks.
# Source it; it sets KVER, KROOT (the extracted kernel package, depmod'ed),
# VMLINUZ, and provides disk builders and a bounded QEMU boot.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${INITKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/initkit}
ROOT_UUID=3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b
ROOT_LABEL=initkit-root
TOKEN=INITKIT-ROOT-OK

log() { printf '%s\n' "$*" >&2; }

# fetch_kernel META: the kernel package that Debian's metapackage META
# (linux-image-amd64, linux-image-6.12-amd64) depends on, extracted (never
# installed) into the cache with its modules.dep built, once.  Sets
# FETCHED_KVER (the version: the package's name without linux-image-) and
# FETCHED_KROOT (the extracted tree).
fetch_kernel() {
	local meta=$1 pkg deb dir kver
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	if [ -z "$pkg" ]; then
		apt-get update -qq >/dev/null 2>&1 || true
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	fi
	[ -n "$pkg" ] || { log "cannot resolve $meta's kernel (apt-get update?)"; return 1; }
	kver=${pkg#linux-image-}
	dir=$CACHE/kernel/$kver
	if [ ! -f "$dir/.complete" ]; then
		log "fetching $pkg into $dir (once)"
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download "$pkg" >/dev/null 2>&1) ||
			{ log "apt-get download $pkg failed"; return 1; }
		deb=$(ls "$dir"/deb/*.deb)
		dpkg -x "$deb" "$dir/root" || { log "dpkg -x $deb failed"; return 1; }
		depmod -b "$dir/root" "$kver" || { log "depmod $kver failed"; return 1; }
		rm -rf "$dir/deb"
		touch "$dir/.complete"
	fi
	FETCHED_KVER=$kver FETCHED_KROOT=$dir/root
}

# The test kernel, the one Debian's linux-image-amd64 depends on (6.1):
# KVER, KROOT, VMLINUZ.
ensure_kernel() {
	fetch_kernel linux-image-amd64 || return 1
	KVER=$FETCHED_KVER KROOT=$FETCHED_KROOT
	VMLINUZ=$KROOT/boot/vmlinuz-$KVER
	export KVER KROOT VMLINUZ
}

# Debian 12's newer kernel, the one linux-image-6.12-amd64 depends on
# (bookworm-security): its modules are .ko.xz and it decompresses them
# itself (CONFIG_MODULE_DECOMPRESS=y), which ensure_kernel_612 checks in its
# config.  KVER612, KROOT612, VMLINUZ612; KVER, KROOT, VMLINUZ untouched.
ensure_kernel_612() {
	fetch_kernel linux-image-6.12-amd64 || return 1
	KVER612=$FETCHED_KVER KROOT612=$FETCHED_KROOT
	VMLINUZ612=$KROOT612/boot/vmlinuz-$KVER612
	[ -f "$VMLINUZ612" ] || { log "no $VMLINUZ612 in the package"; return 1; }
	grep -qx CONFIG_MODULE_DECOMPRESS=y "$KROOT612/boot/config-$KVER612" ||
		{ log "$KVER612: no CONFIG_MODULE_DECOMPRESS=y in its config"; return 1; }
	export KVER612 KROOT612 VMLINUZ612
}

# mkroot DIR: a root tree whose /sbin/init is the test token program.
mkroot() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/sbin" "$d/dev" "$d/proc" "$d/sys" "$d/run" "$d/tmp" "$d/etc"
	cp "$TOP/tests/qemu/guest-init" "$d/sbin/init"
	echo 'ID=initkit-test' > "$d/etc/os-release"
}

# mkdisk_ext4 IMG [UUID] [LABEL]: an ext4 disk made without mounting.
mkdisk_ext4() {
	local img=$1 uuid=${2:-$ROOT_UUID} label=${3:-$ROOT_LABEL} tree
	tree=$(mktemp -d)
	mkroot "$tree"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$tree" -L "$label" -U "$uuid" \
		-E root_owner=0:0 "$img" 32M >/dev/null
	rm -rf "$tree"
}

# qemu_vm [OPTIONS] [-- QEMU ARGS...]: the one place QEMU's command line is
# written; every boot (tests, bench, demo, debug-vm, the small kernel) starts
# here.  QEMU runs with transparent huge pages off (tests/qemu/no-thp.c says
# why), unless INITKIT_QEMU_THP=1.  The guest's CPU and count are
# INITKIT_QEMU_SHAPE (default "-smp 1", QEMU's qemu64 CPU); make bench sets
# its own, a test case may too.  Options:
#   -t SECONDS  hard time limit (status 124 on timeout); none by default
#   -k KERNEL   default $VMLINUZ (Debian's kernel)
#   -i INITRD   none by default
#   -a APPEND   kernel command line, after "console=ttyS0 panic=-1 "
#   -A          no such prefix: APPEND is the whole command line
#   -m MB       guest RAM (512)
#   -s SERIAL   QEMU's -serial (default stdio; file:LOG, chardev:ID, mon:stdio)
#   -M MONITOR  QEMU's -monitor (default none; '' leaves it to the ARGS)
#   -f FIRMWARE bios (QEMU's SeaBIOS, default) or uefi (OVMF: INITKIT_OVMF,
#               else the ovmf package's file); with -e also secboot: OVMF
#               with Secure Boot on and Debian's snakeoil key enrolled (q35,
#               SMM), which boots only EFI programs signed with that key
#   -e ESP      boot OVMF from the FAT image ESP (its EFI/BOOT/BOOTX64.EFI,
#               a UKI: see mkesp) as firmware does from a disk: OVMF's code
#               and a copy of its variables (ESP.vars) as flash, ESP on
#               IDE/SATA, first to boot; no -kernel, -initrd or -append
# Standard input and output are the caller's.
qemu_vm() {
	local OPTIND=1 opt limit="" kernel=${VMLINUZ:-} initrd="" append="" prefix="console=ttyS0 panic=-1 no_timer_check "
	local mem=512 serial=stdio monitor=none fw=bios shape cmd=() esp=""
	while getopts 't:k:i:a:Am:s:M:f:e:' opt; do
		case $opt in
		t) limit=$OPTARG ;;
		k) kernel=$OPTARG ;;
		i) initrd=$OPTARG ;;
		a) append=$OPTARG ;;
		A) prefix="" ;;
		m) mem=$OPTARG ;;
		s) serial=$OPTARG ;;
		M) monitor=$OPTARG ;;
		f) fw=$OPTARG ;;
		e) esp=$OPTARG ;;
		*) return 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	read -ra shape <<< "${INITKIT_QEMU_SHAPE:--smp 1}"
	[ -z "$limit" ] || cmd=(timeout -k 5 "$limit")
	[ "${INITKIT_QEMU_THP:-0}" = 1 ] || [ ! -x "$TOP/tests/qemu/no-thp" ] ||
		cmd+=("$TOP/tests/qemu/no-thp")
	cmd+=(qemu-system-x86_64 -m "$mem" "${shape[@]}" -display none -nic none -no-reboot)
	[ -z "$monitor" ] || cmd+=(-monitor "$monitor")
	[ -z "$serial" ] || cmd+=(-serial "$serial")
	case $fw in
	bios) ;;
	secboot) [ -n "$esp" ] || { log "qemu_vm: -f secboot goes with -e ESP"; return 2; } ;;
	uefi)
		local ovmf=${INITKIT_OVMF:-}
		[ -n "$ovmf" ] || for ovmf in /usr/share/ovmf/OVMF.fd /usr/share/OVMF/OVMF.fd ""; do
			[ ! -f "$ovmf" ] || break
		done
		[ -f "$ovmf" ] || { log "qemu_vm: no OVMF firmware (apt-get install ovmf, or INITKIT_OVMF=FILE)"; return 3; }
		cmd+=(-bios "$ovmf") ;;
	*) log "qemu_vm: firmware $fw: bios or uefi"; return 2 ;;
	esac
	if [ -n "$esp" ]; then
		local code=${INITKIT_OVMF_CODE:-/usr/share/OVMF/OVMF_CODE.fd}
		local vars=${INITKIT_OVMF_VARS:-/usr/share/OVMF/OVMF_VARS.fd}
		if [ "$fw" = secboot ]; then
			code=/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd
			vars=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
			cmd+=(-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on)
		fi
		[ -f "$code" ] && [ -f "$vars" ] ||
			{ log "qemu_vm: no $code or $vars (apt-get install ovmf)"; return 3; }
		cp "$vars" "$esp.vars" || return 3
		cmd+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
			-drive "if=pflash,format=raw,unit=1,file=$esp.vars"
			-drive "file=$esp,if=none,id=esp,format=raw,snapshot=on"
			-device ide-hd,drive=esp,bootindex=0)
		"${cmd[@]}" "$@"
		return
	fi
	cmd+=(-kernel "$kernel")
	[ -z "$initrd" ] || cmd+=(-initrd "$initrd")
	cmd+=(-append "$prefix$append")
	"${cmd[@]}" "$@"
}

# mkesp ESP EFI: a FAT image ESP (mkfs.vfat, mtools: no mounting) whose
# EFI/BOOT/BOOTX64.EFI, the removable-media path firmware boots with no
# boot entry, is the file EFI.
mkesp() {
	local esp=$1 efi=$2 kb
	kb=$(( $(stat -c %s "$efi") / 1024 + 4096 ))
	rm -f "$esp"
	mkfs.vfat -C -n ESP "$esp" "$kb" >/dev/null &&
		mmd -i "$esp" ::/EFI ::/EFI/BOOT &&
		mcopy -i "$esp" "$efi" ::/EFI/BOOT/BOOTX64.EFI
}

# boot NAME TIMEOUT IMAGE APPEND [QEMU ARGS...]: boots, serial log in
# $WORK/NAME.log; returns QEMU's status (124 on timeout).  BOOT_KERNEL
# replaces Debian's kernel.
boot() {
	local name=$1 limit=$2 initrd=$3 append=$4
	shift 4
	: > "$WORK/$name.log"
	qemu_vm -t "$limit" -k "${BOOT_KERNEL:-$VMLINUZ}" -i "$initrd" -a "$append" \
		-s "file:$WORK/$name.log" -- "$@" </dev/null
}

# mod_load_order MODULE...: the test kernel's modules for MODULEs and
# their dependencies, in the order insmod takes them (modprobe's, without
# the host's modprobe.d options), as paths under lib/modules/KVER/: for a
# guest whose /init is a shell script loading them itself
mod_load_order() {
	local m line rel
	for m in "$@"; do
		modprobe -C /dev/null -d "$KROOT" -S "$KVER" --show-depends "$m" |
		while IFS= read -r line; do
			case $line in insmod\ *) ;; *) continue ;; esac
			rel=${line#insmod "$KROOT/lib/modules/$KVER/"}
			printf '%s\n' "${rel%% *}"
		done
	done | awk '!seen[$0]++'
}

# The median of the numbers on stdin, one a line (nothing for none).
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Seconds from the kernel's start to the root's token: its printk stamp.
kstart_to_token() {
	awk -v tok="$TOKEN" '
		/^\[ *[0-9.]+\] / && index($0, tok) { sub(/^\[ */, ""); sub(/\].*/, ""); t = $0 + 0 }
		END { if (t) printf "%.3f\n", t; else exit 1 }' "$1"
}

# Is Debian package $1 installed?
pkg_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
# Its version, or "?"
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }

# peers_setup PACKAGE...: what the benchmarks' peers (initramfs-tools,
# dracut on the host) need: PACKAGEs installed with apt-get where missing
# (log in $WORK/apt.log), the test kernel's modules in /lib/modules/$KVER
# and its config in /boot/config-$KVER (they read only those; LEFT IN
# PLACE, the next run reuses them), and depmod.  Needs root.
peers_setup() {
	local need=() p
	for p in "$@"; do pkg_installed "$p" || need+=("$p"); done
	if [ ${#need[@]} -gt 0 ]; then
		log "installing ${need[*]} (once)"
		# stale package lists: update once and try again
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >"$WORK/apt.log" 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >"$WORK/apt.log" 2>&1; } ||
			{ tail -20 "$WORK/apt.log" >&2; log "apt-get install ${need[*]} failed"; return 1; }
	fi
	if [ ! -d "/lib/modules/$KVER" ]; then
		log "copying the test kernel's modules to /lib/modules/$KVER (left in place)"
		mkdir -p /lib/modules && cp -a "$KROOT/lib/modules/$KVER" "/lib/modules/$KVER" ||
			{ log "cannot copy the modules to /lib/modules/$KVER"; return 1; }
	fi
	[ -f "/boot/config-$KVER" ] || { mkdir -p /boot && cp -a "$KROOT/boot/config-$KVER" "/boot/config-$KVER"; } ||
		{ log "cannot copy /boot/config-$KVER"; return 1; }
	depmod "$KVER" || { log "depmod $KVER failed"; return 1; }
}

# bench_workdir NAME: WORK, a new directory /tmp/initkit-NAME.XXXXXX,
# removed on exit unless KEEP is set (then its path is said on exit)
bench_workdir() {
	WORK=$(mktemp -d "/tmp/initkit-$1.XXXXXX") || return 1
	if [ -n "${KEEP:-}" ]; then
		trap 'log "work directory kept: $WORK"' EXIT
	else
		trap 'rm -rf "$WORK"' EXIT
	fi
}

# bench_boot NAME ROUND LABEL LIMIT IMAGE APPEND DISK...: a benchmark's
# boot of system NAME (LABEL in messages) with its DISKs (virtio, writes
# dropped), log $WORK/NAME-ROUND.log: kernel start -> the root's init is
# appended to $WORK/NAME.kt, /init start -> the root's init to
# $WORK/NAME.it.  A boot that does not reach the root says so, with the end
# of its log, and returns 1.
bench_boot() {
	local s=$1 r=$2 label=$3 limit=$4 img=$5 append=$6 d args=() k
	shift 6
	for d in "$@"; do args+=(-drive "file=$d,if=virtio,format=raw,snapshot=on"); done
	boot "$s-$r" "$limit" "$img" "$append" "${args[@]}" >/dev/null 2>&1
	if k=$(kstart_to_token "$WORK/$s-$r.log"); then
		echo "$k" >> "$WORK/$s.kt"
		init_to_token "$WORK/$s-$r.log" >> "$WORK/$s.it" || true
		return 0
	fi
	log "$label: boot $r did not reach the root; the log ends:"
	tail -n 8 "$WORK/$s-$r.log" | tr -d '\r' | sed 's/^/    | /' >&2
	return 1
}

# The kernel's initramfs unpacking window in boot log $1, seconds: the
# printk time of "Freeing initrd memory" (init/initramfs.c, once the image
# is unpacked into rootfs and its memory given back) less that of "Trying to
# unpack rootfs image as initramfs...".  Both lines are the kernel's, for
# any image; in between it decompresses and copies every member.
unpack_window() {
	awk '
		function stamp(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/^\[ *[0-9.]+\] Trying to unpack rootfs image as initramfs/ { t0 = stamp($0) }
		/^\[ *[0-9.]+\] Freeing initrd memory:/ { t1 = stamp($0) }
		END { if (t0 && t1) printf "%.3f\n", t1 - t0; else exit 1 }' "$1"
}

# med_spread FILE [DIGITS]: "MEDIAN (MIN-MAX)" of the numbers in FILE, one a line, with
# DIGITS decimals (default 3); "-" for none
med_spread() {
	sort -n "$1" | awk -v d="${2:-3}" 'NR == 1 { lo = $1 } { hi = $1; v[NR] = $1 }
		END { if (NR == 0) { print "-"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%." d "f (%." d "f-%." d "f)\n", m, lo, hi }'
}

# show_log LOG: the end of a failed boot's log, indented; for a kernel
# panic, what led to it
show_log() {
	local n
	n=$(grep -an -m1 'Kernel panic' "$1" | cut -d: -f1)
	if [ -n "$n" ]; then
		sed -n "$((n > 12 ? n - 12 : 1)),${n}p" "$1"
	else
		tail -15 "$1"
	fi | indent
}
indent() { sed -e 's/\x1b\[[0-9;]*[a-zA-Z]//g' -e 's/\r//g' -e 's/^/      | /'; }

# set_chain SET...: the modules of our module sets SET (modules.d/SET, plain
# module names only) with their dependencies and softdeps, in the order they
# load (mod_load_order): paths under lib/modules/KVER/.  For -M virtio -M
# ext4 on a virtio-blk ext4 root: the chain /init loads, which the
# benchmarks' floor and "same modules" peers get.  Read from the sets and
# the kernel, not from one of our images, whose layout may change.
set_chain() {
	local s names=() w
	for s in "$@"; do
		for w in $(sed 's/#.*//' "$TOP/modules.d/$s"); do
			case $w in
			*[!A-Za-z0-9_-]*) log "set_chain: $s: '$w' is not a plain module name"; return 1 ;;
			esac
			names+=("$w")
		done
	done
	mod_load_order "${names[@]}"
}

# mod_names: module paths on stdin, their names on stdout (crc32c-intel.ko:
# crc32c_intel)
mod_names() { sed -e 's,.*/,,' -e 's/\.ko.*//' -e 's/-/_/g'; }

# floor_image OUT CHAIN DISK: the benchmarks' hand-made "floor": a klcc
# init (tests/qemu/floor-init.c: only the unavoidable work) that loads the
# modules of file CHAIN (paths under lib/modules/KVER/, set_chain) and
# mounts /dev/vda, gzip -9.  "Exact": a first boot on DISK, in the current
# guest shape (INITKIT_QEMU_SHAPE), finds the modules this machine cannot
# use (ENODEV: crc32c-intel without SSE4.2), and the image is built again
# without them.  Work files $WORK/floor.*; needs root (mknod).
floor_image() {
	local out=$1 chain=$2 disk=$3 d=$WORK/floor.d
	mkdir -p "$d" || return 1
	klcc -static -Os -o "$d/init" "$TOP/tests/qemu/floor-init.c" >"$d/cc.log" 2>&1 ||
		{ cat "$d/cc.log" >&2; return 1; }
	strip --strip-all "$d/init" && floor_pack "$out" "$chain" "$d/init" || return 1
	boot floor-calibrate 120 "$out" "root=UUID=$ROOT_UUID" \
		-drive "file=$disk,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
	init_to_token "$WORK/floor-calibrate.log" >/dev/null ||
		{ log "the floor did not boot; its log ends:"; show_log "$WORK/floor-calibrate.log" >&2; return 1; }
	sed -n "s,.*floor: not for this machine: /lib/modules/$KVER/\([^ ]*\).*,\1,p" \
		"$WORK/floor-calibrate.log" | tr -d '\r' > "$d/unusable"
	[ -s "$d/unusable" ] || return 0
	log "  the floor leaves out (no such device here): $(tr '\n' ' ' < "$d/unusable")"
	grep -vxF -f "$d/unusable" "$chain" > "$d/chain"
	floor_pack "$out" "$d/chain" "$d/init"
}

# floor_pack OUT CHAIN INIT: the floor's archive
floor_pack() {
	local out=$1 chain=$2 r=$WORK/floor.root p
	rm -rf "$r" && mkdir -p "$r/dev" "$r/proc" "$r/root" "$r/etc" || return 1
	cp "$3" "$r/init" && mknod -m 600 "$r/dev/console" c 5 1 || return 1
	while IFS= read -r p; do
		mkdir -p "$r/lib/modules/$KVER/${p%/*}" &&
			cp "$KROOT/lib/modules/$KVER/$p" "$r/lib/modules/$KVER/$p" || return 1
		printf '/lib/modules/%s/%s\n' "$KVER" "$p"
	done < "$chain" > "$r/etc/modules.list" || return 1
	(cd "$r" && find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 | gzip -9) > "$out"
}

# bench_gen_cmd SYSTEM OUT: sets the array G to the command that builds
# SYSTEM's image OUT, as the benchmarks build it:
#   ours          mkinitramfs -M virtio -M ext4
#   ours-generic  mkinitramfs --generic
#   tiny          tiny-initramfs with the modules named in $WORK/mods
#   it-list       initramfs-tools MODULES=list, the modules of $WORK/mods
#   it-most       initramfs-tools MODULES=most
#   dracut        dracut --no-hostonly
# initramfs-tools runs with a private copy of /etc/initramfs-tools, made
# here ($WORK/SYSTEM.conf); the host's is never touched.  The peers read
# the kernel's modules in /lib/modules (peers_setup).
# shellcheck disable=SC2034 # G is the caller's
bench_gen_cmd() {
	case $1 in
	ours) G=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" -M virtio -M ext4 -o "$2") ;;
	ours-generic) G=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" --generic -o "$2") ;;
	tiny) G=(/usr/sbin/mktirfs -o "$2" --auto-modules=no
		--include-modules="$(paste -sd, "$WORK/mods")" "$KVER") ;;
	it-list | it-most)
		local c=$WORK/$1.conf
		rm -rf "$c" && cp -a /etc/initramfs-tools "$c" || return 1
		sed -i '/^MODULES=/d' "$c/initramfs.conf" && echo "MODULES=${1#it-}" >> "$c/initramfs.conf" || return 1
		[ "$1" = it-most ] || cp "$WORK/mods" "$c/modules" || return 1
		G=(/usr/sbin/mkinitramfs -d "$c" -o "$2" "$KVER") ;;
	dracut) G=(/usr/bin/dracut -q --force --no-hostonly --no-hostonly-cmdline --kver "$KVER" "$2") ;;
	*) log "bench_gen_cmd: no system $1"; return 2 ;;
	esac
}

# Seconds (kernel clock) from the kernel starting /init to the root's token.
init_to_token() {
	awk -v tok="$TOKEN" '
		function stamp(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/^\[ *[0-9.]+\] Run \/init as init process/ { t0 = stamp($0) }
		/^\[ *[0-9.]+\] / && index($0, tok) { t1 = stamp($0) }
		END { if (t0 && t1) printf "%.3f\n", t1 - t0; else exit 1 }' "$1"
}

# The test root as an XFS prototype file (mkfs.xfs -p): no mounting.
xfs_proto() {
	local tree=$1 d
	printf '/dev/null\n0 0\nd--755 0 0\n'
	for d in dev proc sys run tmp; do printf '%s d--755 0 0\n$\n' "$d"; done
	printf 'etc d--755 0 0\nos-release ---644 0 0 %s\n$\n' "$tree/etc/os-release"
	printf 'sbin d--755 0 0\ninit ---755 0 0 %s\n$\n' "$tree/sbin/init"
	printf '$\n'
}

# mkdisk_xfs IMG UUID LABEL
mkdisk_xfs() {
	local img=$1 uuid=$2 label=$3 tree
	tree=$(mktemp -d); mkroot "$tree"
	xfs_proto "$tree" > "$tree.proto"
	rm -f "$img"; truncate -s 320M "$img"
	mkfs.xfs -q -f -m uuid="$uuid" -L "$label" -p "$tree.proto" "$img"
	rm -rf "$tree" "$tree.proto"
}

# mkdisk_btrfs IMG UUID LABEL
mkdisk_btrfs() {
	local img=$1 uuid=$2 label=$3 tree
	tree=$(mktemp -d); mkroot "$tree"
	rm -f "$img"; truncate -s 128M "$img"
	mkfs.btrfs -q -f -U "$uuid" -L "$label" --rootdir "$tree" "$img" >/dev/null
	rm -rf "$tree"
}

# mkdisk_gpt IMG DISKUUID PARTUUID PARTLABEL: a small first partition, then
# the ext4 root in partition 2.
mkdisk_gpt() {
	local img=$1 disk=$2 puuid=$3 plabel=$4
	rm -f "$img"; truncate -s 48M "$img"
	sfdisk -q "$img" >/dev/null <<EOT
label: gpt
label-id: $disk
start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3, name="esp"
start=10240, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$puuid, name="$plabel"
EOT
	mkdisk_ext4 "$img.p2" "$ROOT_UUID" "$ROOT_LABEL"
	dd if="$img.p2" of="$img" bs=512 seek=10240 conv=notrunc status=none
	rm -f "$img.p2"
}

# mkdisk_mbr IMG LABELID: the ext4 root in primary partition 1.
mkdisk_mbr() {
	local img=$1 id=$2
	rm -f "$img"; truncate -s 40M "$img"
	sfdisk -q "$img" >/dev/null <<EOT
label: dos
label-id: $id
start=2048, type=83
EOT
	mkdisk_ext4 "$img.p1" "$ROOT_UUID" "$ROOT_LABEL"
	dd if="$img.p1" of="$img" bs=512 seek=2048 conv=notrunc status=none
	rm -f "$img.p1"
}

# mkdisk_vfat IMG SERIAL LABEL: FAT32 root, populated with mtools (mcopy)
mkdisk_vfat() {
	local img=$1 serial=$2 label=$3 tree d
	tree=$(mktemp -d); mkroot "$tree"
	rm -f "$img"
	mkfs.vfat -C -F 32 -i "$serial" -n "$label" "$img" 40960 >/dev/null
	for d in dev proc sys run tmp etc sbin; do mmd -i "$img" "::/$d"; done
	mcopy -i "$img" "$tree/sbin/init" ::/sbin/init
	mcopy -i "$img" "$tree/etc/os-release" ::/etc/os-release
	rm -rf "$tree"
}

# mkdisk_squashfs IMG: a read-only squashfs root (no UUID or label)
mkdisk_squashfs() {
	local img=$1 tree
	tree=$(mktemp -d); mkroot "$tree"
	rm -f "$img"
	mksquashfs "$tree" "$img" -quiet -noappend -all-root -mkfs-time 0 -all-time 0 >/dev/null
	rm -rf "$tree"
}

# mkdisk_iso IMG LABEL: an ISO 9660 root with Rock Ridge (modes kept)
mkdisk_iso() {
	local img=$1 label=$2 tree
	tree=$(mktemp -d); mkroot "$tree"
	rm -f "$img"
	xorriso -as mkisofs -quiet -R -V "$label" -o "$img" "$tree" 2>/dev/null
	rm -rf "$tree"
}

# mkdisk_noinit IMG: an ext4 disk labelled noinit with no /sbin/init
mkdisk_noinit() {
	local img=$1 tree
	tree=$(mktemp -d); mkdir -p "$tree/etc"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$tree" -L noinit "$img" 16M >/dev/null
	rm -rf "$tree"
}

# mkdisk_corrupt IMG: the root disk, but its superblock's block size is one
# no kernel accepts (s_log_block_size at 1024 + 0x18): it still says ext4
# with our UUID
mkdisk_corrupt() {
	mkdisk_ext4 "$1" "$ROOT_UUID" "$ROOT_LABEL"
	printf '\x40' | dd of="$1" bs=1 seek=$((1024 + 0x18)) conv=notrunc status=none
}

# mkdisk_withinitrd IMG: a root with /initrd, labelled withinitrd: the
# legacy flow leaves the image mounted there
mkdisk_withinitrd() {
	local img=$1 tree
	tree=$(mktemp -d); mkroot "$tree"; mkdir "$tree/initrd"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$tree" -L withinitrd "$img" 32M >/dev/null
	rm -rf "$tree"
}

# fn_source FUNC: FUNC's text and that of every function it calls, in
# turn: what a recipe's cache key hashes
fn_source() {
	local -A seen=()
	local queue=("$1") f g body all
	all=$(declare -F | awk '{ print $3 }')
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]} queue=("${queue[@]:1}")
		[ -z "${seen[$f]:-}" ] || continue
		seen[$f]=1
		body=$(declare -f "$f") || continue
		printf '%s\n' "$body"
		for g in $all; do
			[[ $body =~ (^|[^A-Za-z0-9_])$g([^A-Za-z0-9_]|$) ]] && queue+=("$g")
		done
	done
}

# disk_key FUNC [ARG...]: the cache key of the disk FUNC IMG ARG... builds:
# a hash of FUNC's source (fn_source), the arguments and the test root's
# init.  A recipe whose disk depends on more than that (a file it reads)
# has a FUNC_key function: FUNC_key ARG... prints that, and it is hashed too.
disk_key() {
	local fn=$1
	shift
	{
		# guest-init by its source and klibc's version: the binary differs
		# from one checkout's directory to another's, and a key must not
		fn_source "$fn"; printf '%s\n' "$@" "$ROOT_UUID" "$ROOT_LABEL"
		cat "$TOP/tests/qemu/guest-init.c"; dpkg-query -W libklibc-dev 2>&1
		! declare -F "${fn}_key" >/dev/null || "${fn}_key" "$@"
	} | sha256sum | cut -c1-16
}

# cached_disk NAME FUNC [ARG...]: prints the path of the disk FUNC IMG ARG...
# builds, cached under $CACHE/disk by its disk_key; builds it if missing.
# A use touches the disk; NAME's disks of other recipes unused for two
# days are removed (not at once: two checkouts, or a branch and main,
# each keep theirs instead of rebuilding each other's).
cached_disk() {
	local name=$1 fn=$2 key img
	shift 2
	key=$(disk_key "$fn" "$@")
	img=$CACHE/disk/$name.$key.img
	if [ ! -f "$img" ]; then
		mkdir -p "$CACHE/disk"
		find "$CACHE/disk" -maxdepth 1 -name "$name.*.img" -mtime +1 -delete 2>/dev/null
		"$fn" "$img.tmp$$" "$@" || { rm -f "$img.tmp$$"; return 1; }
		mv "$img.tmp$$" "$img"
	fi
	touch -c "$img"
	printf '%s\n' "$img"
}

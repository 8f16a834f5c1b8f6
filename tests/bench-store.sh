#!/bin/bash
# tests/bench-store.sh - how a generic image should keep its modules
# compressed until /init picks the ones it loads: the module stores
# measured against each other at the floor (hand-made minimal inits, one
# program, tests/qemu/store-init.c, that differ only in the store), on the
# test kernel and the marker root (ext4 on virtio-blk, root=/dev/vda).
#
# Every image holds the same modules: the full module set of
# "mkinitramfs --generic" (about 145, every chain module among them), and
# /init loads the same chain (set_chain virtio ext4: 12 modules).  Each
# image is two newc members: first an uncompressed one with the store, then
# a gzip -9 one with /init, /etc/store, the lists, /dev/console and the
# mount points (as the floor's, floor_pack in tests/lib.sh).
#   gz           design A, initkit's lazy modules: every module as NAME.ko.gz
#                in the first member, exactly as mkinitramfs --generic
#                writes them (libdeflate level 4, taken from its image);
#                /init inflates each chain module with lib/inflate.c and
#                loads it with init_module, one after the other
#   sqfs-COMP    design B: the uncompressed modules in one squashfs file,
#                /modules.img (mksquashfs -comp COMP, its default level and
#                128 KiB blocks: SQFS_OPTS), and loop.ko and squashfs.ko
#                uncompressed in the first member; /init loads those two
#                with finit_module, attaches a loop device to
#                /modules.img, mounts it read-only and loads the chain with
#                finit_module from the mount, then unmounts it.  COMP:
#                gzip, and zstd and xz where the kernel's config has
#                SQUASHFS_ZSTD and SQUASHFS_XZ
#   erofs-lz4hc  the same with erofs (mkfs.erofs -zlz4hc -C65536:
#                EROFS_OPTS; the 6.1 kernel's erofs decompresses only LZ4):
#                erofs.ko needs libcrc32c.ko and that a crc32c, so
#                loop.ko, crc32c-intel.ko, crc32c_generic.ko, libcrc32c.ko
#                and erofs.ko are in the first member, and the two crc32c
#                modules (chain modules) load from there, not from the mount
# A first boot of each image checks it (not counted): it must reach the
# root with nothing from /init on the console; a module the guest's CPU
# cannot use (ENODEV) is left out of every image, which is built again.
# Then BOOTS rounds boot every system once, in turn.  Per system: image
# bytes and the median and spread (min-max) of
#   unpack         the kernel's initramfs unpacking window (unpack_window)
#   kernel->root   kernel start -> the root's init (its token's printk time)
#   /init->root    "Run /init as init process" -> the token
#   /init->vda     "Run /init as init process" -> virtio_blk's "[vda]" line:
#                  the store's setup and the chain up to the disk driver
# and the ratios of the medians to gz's.
#
#   BOOTS=N    rounds (default 15)
#   STORES="gz sqfs-gzip ..."  the systems (default: all the kernel and the
#              host's tools allow); gz is always measured, the reference
#   SQFS_OPTS  mksquashfs options beside -comp (default none: 128 KiB blocks)
#   EROFS_OPTS mkfs.erofs options (default "-zlz4hc -C65536")
#   LOOP_PARAMS  loop.ko's parameters in B and C (default none: the kernel
#              makes CONFIG_BLK_DEV_LOOP_MIN_COUNT devices, 8; max_loop=1
#              makes one, but is then the system's limit)
#   KEEP=1     keep the work directory (images, boot logs)
#   INITKIT_QEMU_SHAPE  the guest (default here "-cpu max -smp 2")
# Needs root (mknod), klcc, squashfs-tools, erofs-utils for erofs (Debian
# packages), and "make" first.  A boot takes about 7 s of wall time on the
# 2-CPU machine without KVM: the defaults (5 systems, 15 rounds, plus the
# checks) about 10 minutes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

BOOTS=${BOOTS:-15}
SQFS_OPTS=${SQFS_OPTS:-} EROFS_OPTS=${EROFS_OPTS:--zlz4hc -C65536} LOOP_PARAMS=${LOOP_PARAMS:-}
export INITKIT_QEMU_SHAPE=${INITKIT_QEMU_SHAPE:--cpu max -smp 2}
die() { log "bench-store: $*"; exit 1; }
case $BOOTS in '' | *[!0-9]* | 0) die "BOOTS is a number >= 1" ;; esac
[ "$(id -u)" = 0 ] || die "run as root (mknod)"
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/tests/qemu/guest-init" ] || die "build first: make"
command -v klcc >/dev/null || die "no klcc (apt-get install libklibc-dev)"
command -v mksquashfs >/dev/null || die "no mksquashfs (apt-get install squashfs-tools)"
ensure_kernel || die "no test kernel"
CONFIG=$KROOT/boot/config-$KVER
MODDIR=$KROOT/lib/modules/$KVER
bench_workdir bench-store || die "no work directory"
T_START=$SECONDS
kconf() { grep -qx "CONFIG_$1=[ym]" "$CONFIG"; }

# ---- the systems ---------------------------------------------------------------
avail="gz"
kconf SQUASHFS && kconf BLK_DEV_LOOP || die "the kernel has no squashfs or loop"
kconf SQUASHFS_ZLIB && avail="$avail sqfs-gzip"
kconf SQUASHFS_ZSTD && avail="$avail sqfs-zstd"
kconf SQUASHFS_XZ && avail="$avail sqfs-xz"
if ! command -v mkfs.erofs >/dev/null; then
	log "no mkfs.erofs (apt-get install erofs-utils): erofs left out"
elif ! kconf EROFS_FS || ! kconf EROFS_FS_ZIP; then
	log "the kernel has no erofs with compression: erofs left out"
else
	avail="$avail erofs-lz4hc"
fi
STORES="gz ${STORES:-$avail}"
SYSTEMS=""
for s in $STORES; do
	case " $SYSTEMS " in *" $s "*) continue ;; esac
	case " $avail " in *" $s "*) ;; *) die "system $s: not one of: $avail" ;; esac
	SYSTEMS="$SYSTEMS $s"
done
SYSTEMS=${SYSTEMS# }

# ---- the modules ------------------------------------------------------------------
log "building the generic image's module set (mkinitramfs --generic)"
"$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" --generic -o "$WORK/generic.img" >"$WORK/gen.log" 2>&1 &&
	mkdir -p "$WORK/generic.d" && "$TOP/mkinitramfs" --extract "$WORK/generic.img" "$WORK/generic.d" >>"$WORK/gen.log" 2>&1 ||
	{ indent < "$WORK/gen.log" >&2; die "mkinitramfs --generic failed"; }
GZDIR=$WORK/generic.d/lib/modules/$KVER
(cd "$GZDIR" && find . -name '*.ko.gz' | sed 's,^\./,,' | LC_ALL=C sort) > "$WORK/set.gz"
NSET=$(wc -l < "$WORK/set.gz")
[ "$NSET" -gt 0 ] || die "no .ko.gz in the generic image (not --lazy-modules?)"
# the same modules uncompressed, for the file systems; each must be the
# kernel's own file
mkdir -p "$WORK/plain" || die "mkdir"
while IFS= read -r p; do
	mkdir -p "$WORK/plain/${p%/*}" && gzip -dc "$GZDIR/$p" > "$WORK/plain/${p%.gz}" &&
		cmp -s "$WORK/plain/${p%.gz}" "$MODDIR/${p%.gz}" ||
		die "$p: does not inflate to the kernel's ${p%.gz}"
done < "$WORK/set.gz"
set_chain virtio ext4 > "$WORK/chain.all" || die "cannot resolve the module chain"
while IFS= read -r p; do
	grep -qxF "$p.gz" "$WORK/set.gz" || die "chain module $p is not in the generic set"
done < "$WORK/chain.all"
cp "$WORK/chain.all" "$WORK/chain"
: > "$WORK/unusable"

# pre SYSTEM: the modules (paths under lib/modules/KVER/) SYSTEM's /init
# loads uncompressed from the image before it can mount its store
pre() {
	case $1 in
	sqfs-*) mod_load_order loop squashfs ;;
	erofs-*) mod_load_order loop erofs ;;
	esac | grep -vxF -f "$WORK/unusable"
}

# the store-init, once
mkdir -p "$WORK/bin"
klcc -static -Os -Wall -Wextra -Wno-unused-parameter -I"$TOP/lib" -o "$WORK/bin/init" \
	"$TOP/tests/qemu/store-init.c" "$TOP/lib/inflate.c" >"$WORK/bin/cc.log" 2>&1 &&
	strip --strip-all "$WORK/bin/init" || { cat "$WORK/bin/cc.log" >&2; die "cannot build store-init"; }

# the file systems, once (they do not depend on the chain)
declare -A FSIMG FSOPTS
for s in $SYSTEMS; do
	case $s in
	sqfs-*)
		FSOPTS[$s]="mksquashfs -comp ${s#sqfs-} $SQFS_OPTS -noappend -all-root -mkfs-time 0 -all-time 0"
		# shellcheck disable=SC2086 # SQFS_OPTS: words
		mksquashfs "$WORK/plain" "$WORK/$s.fs" -comp "${s#sqfs-}" $SQFS_OPTS -noappend -all-root \
			-mkfs-time 0 -all-time 0 -quiet -no-progress >"$WORK/$s.fs.log" 2>&1 ||
			{ indent < "$WORK/$s.fs.log" >&2; die "mksquashfs -comp ${s#sqfs-} failed"; } ;;
	erofs-*)
		FSOPTS[$s]="mkfs.erofs $EROFS_OPTS -T0 --all-root"
		# shellcheck disable=SC2086 # EROFS_OPTS: words
		mkfs.erofs --quiet $EROFS_OPTS -T0 --all-root "$WORK/$s.fs" "$WORK/plain" >"$WORK/$s.fs.log" 2>&1 ||
			{ indent < "$WORK/$s.fs.log" >&2; die "mkfs.erofs $EROFS_OPTS failed"; } ;;
	*) continue ;;
	esac
	FSIMG[$s]=$WORK/$s.fs
done

# cpio_newc DIR: DIR's tree as a newc archive on stdout, sorted, owned by
# root, every time 0, inodes renumbered, no device numbers (the same
# bytes every run)
cpio_newc() {
	find "$1" -exec touch -h -d @0 {} + &&
		(cd "$1" && find . | LC_ALL=C sort | cpio --quiet --reproducible -o -H newc -R 0:0)
}

# pack SYSTEM: $WORK/SYSTEM.img from the chain less the unusable modules
declare -A SIZE STOREB
pack() {
	local s=$1 st=$WORK/$1.store it=$WORK/$1.init p
	rm -rf "$st" "$it" && mkdir -p "$st" "$it/dev" "$it/proc" "$it/root" "$it/etc" || return 1
	cp "$WORK/bin/init" "$it/init" && mknod -m 600 "$it/dev/console" c 5 1 || return 1
	case $s in
	gz)
		echo gz > "$it/etc/store"
		while IFS= read -r p; do
			mkdir -p "$st/lib/modules/$KVER/${p%/*}" &&
				cp "$GZDIR/$p" "$st/lib/modules/$KVER/$p" || return 1
		done < "$WORK/set.gz"
		sed "s,^,/lib/modules/$KVER/," "$WORK/chain" > "$it/etc/modules.list" ;;
	*)
		echo "${s%%-*}" > "$it/etc/store"
		mkdir -p "$st/lib" "$it/m" && cp "${FSIMG[$s]}" "$st/modules.img" || return 1
		pre "$s" > "$WORK/$s.pre"
		while IFS= read -r p; do
			cp "$MODDIR/$p" "$st/lib/${p##*/}" || return 1
			case ${p##*/}:$LOOP_PARAMS in
			loop.ko:?*) echo "/lib/${p##*/} $LOOP_PARAMS" ;;
			*) echo "/lib/${p##*/}" ;;
			esac
		done < "$WORK/$s.pre" > "$it/etc/pre.list" || return 1
		grep -vxF -f "$WORK/$s.pre" "$WORK/chain" | sed 's,^,/m/,' > "$it/etc/modules.list" ;;
	esac
	cpio_newc "$st" > "$WORK/$s.img" || return 1
	STOREB[$s]=$(stat -c %s "$WORK/$s.img")
	cpio_newc "$it" | gzip -9 -n >> "$WORK/$s.img" || return 1
	SIZE[$s]=$(stat -c %s "$WORK/$s.img")
}

LABEL_gz="A gz (.ko.gz, libdeflate 4)"
label() {
	case $1 in
	gz) echo "$LABEL_gz" ;;
	sqfs-*) echo "B squashfs ${1#sqfs-}" ;;
	erofs-*) echo "C erofs ${1#erofs-}" ;;
	esac
}

mkdisk_ext4 "$WORK/root.img" || die "cannot make the marker root disk"
for s in $SYSTEMS; do
	log "building: $(label "$s")"
	pack "$s" || die "$(label "$s"): cannot pack the image"
done

# ---- the check boots ------------------------------------------------------------------
# check SYSTEM: boots it once; it must reach the root, /init silent but for
# "not for this machine" (added to $WORK/unusable)
check() {
	local s=$1 bad
	boot "check-$s" 120 "$WORK/$s.img" "root=/dev/vda" \
		-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
	kstart_to_token "$WORK/check-$s.log" >/dev/null ||
		{ log "$(label "$s"): the check boot did not reach the root; its log ends:"; show_log "$WORK/check-$s.log" >&2; return 1; }
	bad=$(tr -d '\r' < "$WORK/check-$s.log" | grep -a 'store: ' | grep -v 'store: not for this machine: ')
	[ -z "$bad" ] || { log "$(label "$s"): /init said:"; indent <<< "$bad" >&2; return 1; }
	tr -d '\r' < "$WORK/check-$s.log" | sed -n 's,.*store: not for this machine: .*/,,p' |
		sed 's/\.ko$//' >> "$WORK/unusable.names"
}
: > "$WORK/unusable.names"
for s in $SYSTEMS; do
	log "check boot: $(label "$s")"
	check "$s" || die "$(label "$s") does not boot"
done
if [ -s "$WORK/unusable.names" ]; then
	# the paths of those modules, wherever they are listed
	sort -u "$WORK/unusable.names" | while IFS= read -r n; do
		grep -E "(^|/)$n\.ko$" "$WORK/chain.all"; mod_load_order loop erofs | grep -E "(^|/)$n\.ko$"
	done | sort -u > "$WORK/unusable"
	log "  left out (no such device here): $(tr '\n' ' ' < "$WORK/unusable")"
	grep -vxF -f "$WORK/unusable" "$WORK/chain.all" > "$WORK/chain"
	for s in $SYSTEMS; do pack "$s" || die "$(label "$s"): cannot pack the image"; done
fi
ELAPSED_PREP=$((SECONDS - T_START))

# init_to_vda LOG: seconds from "Run /init as init process" to virtio_blk's
# "[vda]" line (the disk's size, once the driver has it)
init_to_vda() {
	awk '
		function stamp(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/^\[ *[0-9.]+\] Run \/init as init process/ { t0 = stamp($0) }
		/^\[ *[0-9.]+\] virtio_blk virtio[0-9]+: \[vda\]/ && !t1 { t1 = stamp($0) }
		END { if (t0 && t1) printf "%.3f\n", t1 - t0; else exit 1 }' "$1"
}

# ---- the rounds ---------------------------------------------------------------------------
now() { date +%s%N; }
for s in $SYSTEMS; do : > "$WORK/$s.kt"; : > "$WORK/$s.it"; : > "$WORK/$s.ut"; : > "$WORK/$s.vt"; done
fail=0 nb=0 wall=0
for r in $(seq "$BOOTS"); do
	log "round $r/$BOOTS"
	for s in $SYSTEMS; do
		b0=$(now)
		if bench_boot "$s" "$r" "$(label "$s")" 120 "$WORK/$s.img" "root=/dev/vda" "$WORK/root.img"; then
			unpack_window "$WORK/$s-$r.log" >> "$WORK/$s.ut" ||
				log "$(label "$s"): boot $r has no unpacking lines"
			init_to_vda "$WORK/$s-$r.log" >> "$WORK/$s.vt" ||
				log "$(label "$s"): boot $r has no virtio_blk [vda] line"
			! tr -d '\r' < "$WORK/$s-$r.log" | grep -aq 'store: ' ||
				log "$(label "$s"): boot $r: /init said: $(tr -d '\r' < "$WORK/$s-$r.log" | grep -a 'store: ' | head -3)"
		else
			fail=$((fail + 1))
		fi
		b1=$(now)
		nb=$((nb + 1)) wall=$((wall + (b1 - b0) / 1000000))
	done
done

# ---- the figures ----------------------------------------------------------------------------
med() { median < "$1"; }
ratio() {
	case "$1:$2" in *[!0-9.:]* | :* | *:) echo -; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "-" }'
}
printf 'kernel: %s (Debian), guest: %s, 512 MB, root=/dev/vda (ext4, virtio-blk); host: %d CPUs, QEMU %s TCG (no KVM)\n' \
	"$KVER" "$INITKIT_QEMU_SHAPE" "$(nproc)" "$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')"
printf 'store: the %d modules of mkinitramfs --generic (%d bytes uncompressed); chain loaded (%d): %s\n' \
	"$NSET" "$(du -sb "$WORK/plain" | cut -f1)" "$(wc -l < "$WORK/chain")" \
	"$(mod_names < "$WORK/chain" | tr '\n' ' ')"
printf 'tools: squashfs-tools %s, erofs-utils %s, klibc %s\n' "$(pkg_version squashfs-tools)" \
	"$(pkg_version erofs-utils)" "$(pkg_version libklibc-dev)"
for s in $SYSTEMS; do
	case $s in
	gz) printf '  %-24s first member: %d .ko.gz as mkinitramfs --generic writes them\n' "$(label "$s")" "$NSET" ;;
	*) printf '  %-24s /modules.img %d bytes: %s; loaded first from the image: %s\n' "$(label "$s")" \
		"$(stat -c %s "${FSIMG[$s]}")" "${FSOPTS[$s]}" "$(mod_names < "$WORK/$s.pre" | tr '\n' ' ')${LOOP_PARAMS:+(loop: $LOOP_PARAMS)}" ;;
	esac
done
printf '\n%d rounds, every system once a round, in turn:\n' "$BOOTS"
printf '%-28s %9s %9s  %-21s %-21s %-21s %-21s\n' system "bytes" "1st memb" "unpack s" \
	"kernel->root s" "/init->root s" "/init->vda s"
for s in $SYSTEMS; do
	printf '%-28s %9s %9s  %-21s %-21s %-21s %-21s\n' "$(label "$s")" "${SIZE[$s]}" "${STOREB[$s]}" \
		"$(med_spread "$WORK/$s.ut")" "$(med_spread "$WORK/$s.kt")" "$(med_spread "$WORK/$s.it")" \
		"$(med_spread "$WORK/$s.vt")"
done
[ "$fail" = 0 ] || printf 'FAILED boots: %d (their logs above, on stderr)\n' "$fail"
printf '\nratios of medians to %s:\n' "$LABEL_gz"
printf '%-28s %7s %8s %14s %13s %13s\n' system bytes unpack 'kernel->root' '/init->root' '/init->vda'
for s in $SYSTEMS; do
	[ "$s" != gz ] || continue
	printf '%-28s %7s %8s %14s %13s %13s\n' "$(label "$s")" "$(ratio "${SIZE[$s]}" "${SIZE[gz]}")" \
		"$(ratio "$(med "$WORK/$s.ut")" "$(med "$WORK/gz.ut")")" \
		"$(ratio "$(med "$WORK/$s.kt")" "$(med "$WORK/gz.kt")")" \
		"$(ratio "$(med "$WORK/$s.it")" "$(med "$WORK/gz.it")")" \
		"$(ratio "$(med "$WORK/$s.vt")" "$(med "$WORK/gz.vt")")"
done
el=$((SECONDS - T_START))
printf '\nelapsed: %d min %02d s (images and check boots %d s; %d boots, %d ms each)\n' \
	$((el / 60)) $((el % 60)) "$ELAPSED_PREP" "$nb" $((nb ? wall / nb : 0))
[ "$fail" = 0 ]

#!/bin/bash
# tests/bench-stack.sh - part of 'make bench': roots on stacked storage
# (issue 16's figures), measured in one run on the test kernel with the
# stacked test disks of tests/qemu/stack.sh:
#   - ours on a plain partition (the reference), on LVM (vg0/root, a linear
#     LV on a GPT partition) and, when the md set exists, on RAID1
#     (metadata 1.2, two disks);
#   - the same LVM root activated by the distribution's lvm tool through an
#     action script instead of our helper (tests/qemu/lvm-tool/): the
#     native-or-tool choice the README states;
#   - initramfs-tools (MODULES=list: our image's modules, with its lvm2 and
#     mdadm hooks) and dracut (--no-hostonly) on the same disks.
# Figures: image bytes, kernel start -> the root's init (the token's printk
# time) and /init start -> the root's init, medians over BOOTS rounds; each
# round boots every system once, in turn, so drift hits all alike.  The
# peers, whose ratio to ours is 3x and more, boot in the first PEER_BOOTS
# rounds only: their boots are the long ones (20-40 s), and our ratios to
# our own plain boot, a few per cent, need the rounds.
#
#   BOOTS=N       rounds (default 15)
#   PEER_BOOTS=N  rounds the peers boot in (default 5)
#   PEERS=0       ours only (no initramfs-tools, dracut)
#   INITKIT_QEMU_SHAPE  the guest's CPU (default here "-cpu max -smp 2")
# Needs root (the peers read /lib/modules; installs them like
# tests/bench-peers.sh, whose notes apply).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qemu/hooks.sh"
ensure_kernel || exit 1

BOOTS=${BOOTS:-15} PEERS=${PEERS:-1} PEER_BOOTS=${PEER_BOOTS:-5}
export INITKIT_QEMU_SHAPE=${INITKIT_QEMU_SHAPE:--cpu max -smp 2}
WORK=$(mktemp -d /tmp/initkit-bench-stack.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
die() { log "bench-stack: $*"; exit 1; }
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/init/lvm" ] || die "build first: make"
HAVE_MD=""
[ -f "$TOP/modules.d/md" ] && [ -f "$TOP/init/md" ] && HAVE_MD=1

# ---- disks ------------------------------------------------------------------
mkdisk_ext4 "$WORK/plain.img" "$ROOT_UUID" "$ROOT_LABEL" || die "no plain disk"
stack_disk "$WORK/lvm.img" lvm-linear 0 || die "no LVM disk"
if [ -n "$HAVE_MD" ]; then
	stack_disk "$WORK/md0.img" md-raid1 0 && stack_disk "$WORK/md1.img" md-raid1 1 ||
		die "no RAID1 disks"
fi

# ---- the systems ----------------------------------------------------------
# SYS: name; LABEL, APPEND, DISKS (files), and the image built below
declare -A LABEL APPEND DISKS SIZE
SYSTEMS="plain lvm lvmtool"
LABEL[plain]="ours, plain partition (-M virtio -M ext4)"
LABEL[lvm]="ours, LVM (-M lvm: the native helper)"
LABEL[lvmtool]="ours, LVM by the lvm tool (action script)"
APPEND[plain]="root=UUID=$ROOT_UUID" DISKS[plain]=$WORK/plain.img
APPEND[lvm]="root=/dev/mapper/vg0-root" DISKS[lvm]=$WORK/lvm.img
APPEND[lvmtool]=${APPEND[lvm]} DISKS[lvmtool]=$WORK/lvm.img
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")
"${MK[@]}" -M virtio -M ext4 -o "$WORK/plain.gz" || die "mkinitramfs failed"
"${MK[@]}" -M virtio -M ext4 -M lvm -o "$WORK/lvm.gz" || die "mkinitramfs -M lvm failed"
lvm_tool_hook "$WORK/lvm-tool.hook"
"${MK[@]}" -M virtio -M ext4 -m dm_mod -H "$WORK/lvm-tool.hook" -o "$WORK/lvmtool.gz" ||
	die "mkinitramfs with the lvm tool failed"
if [ -n "$HAVE_MD" ]; then
	SYSTEMS="$SYSTEMS md"
	LABEL[md]="ours, RAID1 (-M md: the native helper)"
	# by the file system's UUID: the peers name the array after its
	# homehost (initkit:root), which /dev/md/root is not for them
	APPEND[md]="root=UUID=$ROOT_UUID" DISKS[md]="$WORK/md0.img $WORK/md1.img"
	"${MK[@]}" -M virtio -M ext4 -M md -o "$WORK/md.gz" || die "mkinitramfs -M md failed"
fi

OURS=$SYSTEMS	# what follows are the peers
if [ "$PEERS" != 0 ]; then
	[ "$(id -u)" = 0 ] || die "the peers need root (PEERS=0: ours only)"
	peers_setup initramfs-tools-core dracut-core lvm2 mdadm || die "cannot set up the peers"
	# initramfs-tools: a private copy of its configuration, MODULES=list with
	# our image's modules; its lvm2 hook adds lvm and dm_mod, mdadm's hook
	# mdadm and the raid modules
	mkdir -p "$WORK/x" && "$TOP/mkinitramfs" --extract "$WORK/plain.gz" "$WORK/x" >/dev/null ||
		die "cannot extract our image"
	rm -rf "$WORK/it.conf" && cp -a /etc/initramfs-tools "$WORK/it.conf" || die "no /etc/initramfs-tools"
	sed -i '/^MODULES=/d' "$WORK/it.conf/initramfs.conf"
	echo MODULES=list >> "$WORK/it.conf/initramfs.conf"
	awk -F'\t' '$1 == "m" { print $2 }' "$WORK/x/etc/initkit/modules.db" > "$WORK/it.conf/modules"
	/usr/sbin/mkinitramfs -d "$WORK/it.conf" -o "$WORK/it.gz" "$KVER" >"$WORK/it.log" 2>&1 ||
		{ tail "$WORK/it.log" >&2; die "initramfs-tools failed"; }
	/usr/bin/dracut -q --force --no-hostonly --no-hostonly-cmdline --kver "$KVER" "$WORK/dracut.gz" \
		>"$WORK/dracut.log" 2>&1 || { tail "$WORK/dracut.log" >&2; die "dracut failed"; }
	SYSTEMS="$SYSTEMS it-lvm dracut-lvm"
	LABEL[it-lvm]="initramfs-tools MODULES=list + lvm2, LVM"
	LABEL[dracut-lvm]="dracut --no-hostonly, LVM"
	APPEND[it-lvm]=${APPEND[lvm]} DISKS[it-lvm]=$WORK/lvm.img
	APPEND[dracut-lvm]="${APPEND[lvm]} rd.lvm.lv=vg0/root" DISKS[dracut-lvm]=$WORK/lvm.img
	ln -sf it.gz "$WORK/it-lvm.gz"; ln -sf dracut.gz "$WORK/dracut-lvm.gz"
	if [ -n "$HAVE_MD" ]; then
		SYSTEMS="$SYSTEMS it-md dracut-md"
		LABEL[it-md]="initramfs-tools MODULES=list + mdadm, RAID1"
		LABEL[dracut-md]="dracut --no-hostonly, RAID1"
		APPEND[it-md]=${APPEND[md]} DISKS[it-md]=${DISKS[md]}
		APPEND[dracut-md]="${APPEND[md]} rd.auto=1" DISKS[dracut-md]=${DISKS[md]}
		ln -sf it.gz "$WORK/it-md.gz"; ln -sf dracut.gz "$WORK/dracut-md.gz"
	fi
fi
for s in $SYSTEMS; do SIZE[$s]=$(stat -L -c %s "$WORK/$s.gz"); : > "$WORK/$s.kt"; : > "$WORK/$s.it"; done

echo "kernel: $KVER, QEMU TCG, guest: $INITKIT_QEMU_SHAPE, 512 MB; $BOOTS rounds, the systems in turn" \
	"(the peers in the first $PEER_BOOTS)"
# ---- boots --------------------------------------------------------------------
for r in $(seq "$BOOTS"); do
	for s in $SYSTEMS; do
		[ "$r" -le "$PEER_BOOTS" ] || [[ " $OURS " == *" $s "* ]] || continue
		# shellcheck disable=SC2086 # DISKS: a list of files
		bench_boot "$s" "$r" "bench-stack: ${LABEL[$s]}" 180 "$WORK/$s.gz" "${APPEND[$s]}" ${DISKS[$s]}
	done
done

# ---- table ----------------------------------------------------------------------
printf '\n%-46s %11s %16s %14s  %s\n' system "image bytes" "kernel->root s" "/init->root s" "each (kernel->root)"
declare -A KT
for s in $SYSTEMS; do
	KT[$s]=$(median < "$WORK/$s.kt")
	printf '%-46s %11s %16s %14s  %s\n' "${LABEL[$s]}" "${SIZE[$s]}" "${KT[$s]:-FAIL}" \
		"$(median < "$WORK/$s.it")" "$(tr '\n' ' ' < "$WORK/$s.kt")"
done
ratio() {	# WHAT A B: A / B
	if [ -z "${KT[$2]:-}" ] || [ -z "${KT[$3]:-}" ]; then printf '  %-58s n/a\n' "$1"; return; fi
	awk -v w="$1" -v a="${KT[$2]}" -v b="${KT[$3]}" 'BEGIN { printf "  %-58s %.2fx (%s s / %s s)\n", w, a / b, a, b }'
}
echo
echo "ratios, kernel start -> the root's init (medians):"
ratio "ours on LVM / ours on a plain partition (target <= 1.10)" lvm plain
ratio "the lvm tool / our helper, LVM" lvmtool lvm
[ -z "$HAVE_MD" ] || ratio "ours on RAID1 / ours on a plain partition (target <= 1.10)" md plain
if [ "$PEERS" != 0 ]; then
	ratio "initramfs-tools / ours, LVM (target >= 3)" it-lvm lvm
	ratio "dracut / ours, LVM" dracut-lvm lvm
	[ -z "$HAVE_MD" ] || ratio "initramfs-tools / ours, RAID1 (target >= 3)" it-md md
	[ -z "$HAVE_MD" ] || ratio "dracut / ours, RAID1" dracut-md md
fi
awk -v a="${SIZE[lvmtool]}" -v b="${SIZE[lvm]}" 'BEGIN { printf "  %-58s %.2fx (%d bytes more)\n", "image: the lvm tool / our helper", a / b, a - b }'

#!/bin/bash
# tests/bench.sh - 'make bench': the figures we quote, measured on the test
# kernel in one run.  Medians; durations are never asserted in tests.
# Generation time and size of the small and the generic image, and /init's
# own CPU time (its timeline) in the small image's boots, with and without
# QEMU's huge pages and under -icount.  The generic image's boots, and the
# boots against the floor and the peers, are tests/bench-generic.sh's.
#   BOOTS=N   boots per measurement (default 5)
#   GENS=N    generator runs per measurement (default 21)
#   BASELINE=TREE  also boot the -M virtio -M ext4 image of another built
#             checkout (git worktree add TREE REV && make -C TREE), in turn
#             with ours, and give the ratios: a before/after in one run
#   INITKIT_QEMU_SHAPE="-cpu max -smp 2"  the guest's CPU (tests/lib.sh)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_kernel
BOOTS=${BOOTS:-5} GENS=${GENS:-21}
WORK=$(mktemp -d /tmp/initkit-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")


# the timeline's "init's own CPU time" (ms) in boot log LOG
own_cpu() { sed -n "s/.*init's own CPU time \([0-9.]*\).*/\1/p" "$1" | head -1; }

# seconds for one run of a command, 3 decimals
timeit() {
	local s e
	s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", (e - s) / 1e9 }'
}

BASELINE=${BASELINE:-}
if [ -n "$BASELINE" ]; then
	[ -x "$BASELINE/mkinitramfs" ] && [ -f "$BASELINE/init/init" ] ||
		{ log "BASELINE=$BASELINE: no built checkout there (make -C $BASELINE)"; exit 2; }
fi
echo "kernel: $KVER (Debian's linux-image-amd64), host: $(nproc) CPUs, QEMU TCG, guest: ${INITKIT_QEMU_SHAPE:--smp 1}"
[ -z "$BASELINE" ] || echo "baseline: $BASELINE ($(git -C "$BASELINE" describe --always --dirty 2>/dev/null || echo '?'))"
echo
printf '%-44s %s\n' "init/init (static klibc, stripped)" "$(stat -c %s "$TOP/init/init") bytes"

for i in $(seq "$GENS"); do
	timeit "${MK[@]}" -M virtio -M ext4 -o "$WORK/virtio.img"
done | median > "$WORK/gen"
printf '%-44s %s bytes\n' "image: -M virtio -M ext4" "$(stat -c %s "$WORK/virtio.img")"
printf '%-44s %s s (median of %d)\n' "generation: -M virtio -M ext4" "$(cat "$WORK/gen")" "$GENS"

if [ -n "$BASELINE" ]; then
	"$BASELINE/mkinitramfs" -k "$KVER" -b "$KROOT" -d "$BASELINE" -M virtio -M ext4 -o "$WORK/base.img"
	printf '%-44s %s bytes\n' "baseline image: -M virtio -M ext4" "$(stat -c %s "$WORK/base.img")"
fi

mkdisk_ext4 "$WORK/root.img"
for i in $(seq "$GENS"); do
	timeit "${MK[@]}" --generic -o "$WORK/generic.img"
done | median > "$WORK/gengen"
printf '%-44s %s bytes\n' "image: --generic" "$(stat -c %s "$WORK/generic.img")"
printf '%-44s %s s (median of %d)\n' "generation: --generic" "$(cat "$WORK/gengen")" "$GENS"

# boots of the small image (with BASELINE's in turn, so that drift hits both alike)
: > "$WORK/boots.virtio"; : > "$WORK/k.virtio"
: > "$WORK/boots.base"; : > "$WORK/k.base"; : > "$WORK/own.base"
: > "$WORK/own"; : > "$WORK/other"
for i in $(seq "$BOOTS"); do
	for img in virtio ${BASELINE:+base}; do
		boot "$img$i" 120 "$WORK/$img.img" "root=UUID=$ROOT_UUID" \
			-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null || true
		log="$WORK/$img$i.log"
		init_to_token "$log" >> "$WORK/boots.$img" || echo "boot $img $i failed" >&2
		# kernel start to the root's token: the token's printk time
		awk -v tok="$TOKEN" '/^\[ *[0-9.]+\] / && index($0, tok) { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); print s + 0; exit }' \
			"$log" >> "$WORK/k.$img"
		if [ "$img" = virtio ]; then
			own_cpu "$log" >> "$WORK/own"
			sed -n 's/.*, other \([0-9.]*\);.*/\1/p' "$log" >> "$WORK/other"
		elif [ "$img" = base ]; then
			own_cpu "$log" >> "$WORK/own.base"
		fi
	done
done
row() { printf '%-44s %s s (median of %d; each: %s)\n' "$1" "$(median < "$2")" "$BOOTS" "$(tr '\n' ' ' < "$2")"; }
row "boot: /init start -> root's init (virtio)" "$WORK/boots.virtio"
row "boot: kernel start -> root's init (virtio)" "$WORK/k.virtio"
printf '%-44s %s ms (median; most %s; each: %s)\n' "/init's own CPU time per boot" \
	"$(median < "$WORK/own")" "$(sort -n "$WORK/own" | tail -1)" "$(tr '\n' ' ' < "$WORK/own")"
echo "  (the timeline's figure: CPU time from main() to the switch, outside"
echo "   finit_module, mount(2) and disk reads; QEMU with THP off, see below)"
printf '%-44s %s ms (median; wall clock not in finit_module, waits, disk reads, mount)\n' \
	"/init's other wall time per boot" "$(median < "$WORK/other")"
ratio() { awk -v a="$(median < "$1")" -v b="$(median < "$2")" 'BEGIN { printf "%.3f", a / b }'; }
if [ -n "$BASELINE" ]; then
	row "baseline: /init start -> root's init" "$WORK/boots.base"
	row "baseline: kernel start -> root's init" "$WORK/k.base"
	printf '%-44s %s ms (median of %d; each: %s)\n' "baseline: /init's own CPU time" \
		"$(median < "$WORK/own.base")" "$BOOTS" "$(tr '\n' ' ' < "$WORK/own.base")"
	printf '%-44s %sx /init start -> root, %sx kernel start -> root, %sx own CPU\n' \
		"ours / baseline (medians)" "$(ratio "$WORK/boots.virtio" "$WORK/boots.base")" \
		"$(ratio "$WORK/k.virtio" "$WORK/k.base")" "$(ratio "$WORK/own" "$WORK/own.base")"
fi

# The same boots with QEMU's default, transparent huge pages: the host
# zeroes 2 MiB at the guest's first touch of it (on a host that is itself
# a VM, ~5 ms), charged to whichever guest task runs (tests/qemu/no-thp.c).
: > "$WORK/own.thp"
for i in $(seq "$BOOTS"); do
	INITKIT_QEMU_THP=1 boot "thp$i" 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID" \
		-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null || true
	own_cpu "$WORK/thp$i.log" >> "$WORK/own.thp"
done
printf '%-44s %s ms (median; most %s; each: %s)\n' "  the same, QEMU with THP (its default)" \
	"$(median < "$WORK/own.thp")" "$(sort -n "$WORK/own.thp" | tail -1)" "$(tr '\n' ' ' < "$WORK/own.thp")"

# The same figure in guest instructions: with -icount, QEMU's clock counts
# executed instructions (2^ICOUNT_SHIFT ns each) instead of host time, so
# the time TCG spends translating code the first time it runs, and host
# stalls, drop out.  What is left is the work /init makes the CPU do.
ICOUNT_SHIFT=3	# 8 ns an instruction: a 125-MIPS CPU
# One guest CPU: under -icount a second one stalls the kernel's SMP bring-up
# for minutes of guest time.  The shape's -cpu stays.
icount_shape=$(sed -E 's/(^| )-smp +[^ ]+//g' <<< "${INITKIT_QEMU_SHAPE:--smp 1}")
: > "$WORK/own.icount"; : > "$WORK/own.icount.base"
for i in $(seq 3); do
	for img in virtio ${BASELINE:+base}; do
		INITKIT_QEMU_SHAPE="$icount_shape -smp 1" boot "icount$img$i" 300 "$WORK/$img.img" "root=UUID=$ROOT_UUID" \
			-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" \
			-icount "shift=$ICOUNT_SHIFT,sleep=off" >/dev/null || true
		own_cpu "$WORK/icount$img$i.log" >> "$WORK/own.icount${BASELINE:+.$img}"
	done
done
[ -z "$BASELINE" ] || mv "$WORK/own.icount.virtio" "$WORK/own.icount"
own=$(median < "$WORK/own.icount")
printf '%-44s %s ms (median of 3, -icount shift=%d: a %d-MIPS CPU; about %s million instructions)\n' \
	"/init's own CPU time in instructions" "$own" "$ICOUNT_SHIFT" \
	$((1000 >> ICOUNT_SHIFT)) "$(awk -v ms="$own" -v s="$ICOUNT_SHIFT" 'BEGIN { printf "%.2f", ms * 1000 / 2 ^ s / 1000 }')"
if [ -n "$BASELINE" ]; then
	base=$(median < "$WORK/own.icount.base")
	printf '%-44s %s ms (median of 3; each: %s); ours / baseline %sx\n' \
		"baseline: own CPU time in instructions" "$base" "$(tr '\n' ' ' < "$WORK/own.icount.base")" \
		"$(awk -v a="$own" -v b="$base" 'BEGIN { printf "%.3f", a / b }')"
fi

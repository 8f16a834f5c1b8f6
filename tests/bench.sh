#!/bin/bash
# tests/bench.sh - 'make bench': the figures we quote, measured on the test
# kernel in one run.  Medians; durations are never asserted in tests.
#   BOOTS=N   boots per measurement (default 5)
#   GENS=N    generator runs per measurement (default 21)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ensure_kernel
BOOTS=${BOOTS:-5} GENS=${GENS:-21}
WORK=$(mktemp -d /tmp/initkit-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# seconds for one run of a command, 3 decimals
timeit() {
	local s e
	s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", (e - s) / 1e9 }'
}

echo "kernel: $KVER (Debian's linux-image-amd64), host: $(nproc) CPUs, QEMU TCG"
echo
printf '%-44s %s\n' "init/init (static klibc, stripped)" "$(stat -c %s "$TOP/init/init") bytes"

for i in $(seq "$GENS"); do
	timeit "${MK[@]}" -M virtio -M ext4 -o "$WORK/virtio.img"
done | median > "$WORK/gen"
printf '%-44s %s bytes\n' "image: -M virtio -M ext4" "$(stat -c %s "$WORK/virtio.img")"
printf '%-44s %s s (median of %d)\n' "generation: -M virtio -M ext4" "$(cat "$WORK/gen")" "$GENS"

mkdisk_ext4 "$WORK/root.img"
for i in $(seq "$BOOTS"); do
	boot "bench$i" 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID" \
		-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null || true
	init_to_token "$WORK/bench$i.log" || echo "boot $i failed" >&2
done > "$WORK/boots"
printf '%-44s %s s (median of %d; each: %s)\n' "boot: /init start -> root's init (virtio)" \
	"$(median < "$WORK/boots")" "$BOOTS" "$(tr '\n' ' ' < "$WORK/boots")"

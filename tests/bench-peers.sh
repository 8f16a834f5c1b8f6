#!/bin/bash
# tests/bench-peers.sh - our generator against Debian's initramfs-tools,
# dracut and tiny-initramfs, and against a hand-made "floor" image, measured
# in one run on the same test kernel ($KVER from ensure_kernel) and the same
# ext4 root disk (virtio-blk, root=UUID=...).  Prints absolute figures
# (medians) and ratios.  Run as root, after 'make'.
#
#   BOOTS=N       QEMU boots per system (default 3)
#   GENS=N        generator runs for the fast generators (default 11)
#   GENS_SLOW=N   generator runs for dracut and initramfs-tools MODULES=most
#                 (default 3; each run takes 20-70 s here)
#   PEERS="..."   systems to measure besides ours (virtio+ext4, always
#                 measured: it is the reference of the ratios); default all:
#                 ours-generic tiny it-list it-most dracut floor
#   KEEP=1        keep the work directory (images, boot logs)
#   NOBOOT=1      generation time and image size only, no boots (what
#                 'make bench' runs: tests/bench-generic.sh boots ours, the
#                 floor and tiny-initramfs on this marker root in both guest
#                 shapes, and ours, initramfs-tools and dracut on a real
#                 Debian root with systemd); the floor is then left out
#
# What it changes on the host (it needs root):
#   - installs initramfs-tools-core, dracut-core and/or tiny-initramfs-core
#     with apt-get when missing (peers_setup in tests/lib.sh; they do not
#     conflict; they pull in udev, and apt's default Recommends such as
#     mdadm, lvm2, cryptsetup, dmraid);
#   - copies the test kernel's modules to /lib/modules/$KVER and its config
#     to /boot/config-$KVER when absent (the peers read modules only from
#     there; initramfs-tools checks compressor support in the config) and
#     runs depmod $KVER.  These copies are LEFT IN PLACE on purpose (the next
#     run reuses them); remove them by hand if unwanted.
#   - never touches the host's /etc/initramfs-tools: initramfs-tools runs
#     with a private copy of it (mkinitramfs -d DIR).
# Durations are medians of wall clock (generation) and of the guest kernel's
# printk clock (boot); under TCG they vary +-10-30 % from run to run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

BOOTS=${BOOTS:-3} GENS=${GENS:-11} GENS_SLOW=${GENS_SLOW:-3}
ALL_PEERS="ours-generic tiny it-list it-most dracut floor"
PEERS=${PEERS:-$ALL_PEERS}
NOBOOT=${NOBOOT:-}
[ -z "$NOBOOT" ] || PEERS=$(echo " $PEERS " | sed 's/ floor / /; s/^ *//; s/ *$//')

die() { log "bench-peers: $*"; exit 1; }

for n in "$BOOTS" "$GENS" "$GENS_SLOW"; do
	case $n in '' | *[!0-9]* | 0) die "BOOTS, GENS and GENS_SLOW are numbers >= 1" ;; esac
done
for p in $PEERS; do
	case " $ALL_PEERS ours " in
	*" $p "*) ;;
	*) die "PEERS: unknown system '$p' (known: $ALL_PEERS)" ;;
	esac
done
SYSTEMS=""	# in a fixed order, whatever the order of PEERS
for p in floor ours ours-generic tiny it-list it-most dracut; do
	case " ours $PEERS " in *" $p "*) SYSTEMS="$SYSTEMS $p" ;; esac
done
SYSTEMS=${SYSTEMS# }
want() { case " $SYSTEMS " in *" $1 "*) return 0 ;; esac; return 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, /lib/modules, mknod)"
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/init/init" ] &&
	[ -f "$TOP/tests/qemu/guest-init" ] || die "build first: make"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (tools/deps)"
ensure_kernel || die "no test kernel"

WORK=$(mktemp -d /tmp/initkit-bench-peers.XXXXXX)
if [ -n "${KEEP:-}" ]; then
	trap 'log "work directory kept: $WORK"' EXIT
else
	trap 'rm -rf "$WORK"' EXIT
fi

# ---------------------------------------------------------------- helpers

# run COMMAND... once; prints its wall-clock seconds; output to $WORK/gen.log
timeit() {
	local s e rc
	s=$(date +%s%N)
	"$@" >"$WORK/gen.log" 2>&1
	rc=$?
	e=$(date +%s%N)
	[ "$rc" -eq 0 ] || return "$rc"
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'
}

declare -A LABEL GEN SIZE KT IT OKB NGEN SLOW CMD
LABEL[floor]="floor (klcc init, exact modules)"
LABEL[ours]="ours -M virtio -M ext4"
LABEL[ours-generic]="ours --generic (every set)"
LABEL[tiny]="tiny-initramfs (same modules)"
LABEL[it-list]="initramfs-tools MODULES=list"
LABEL[it-most]="initramfs-tools MODULES=most"
LABEL[dracut]="dracut --no-hostonly"
SLOW[it-most]=1 SLOW[dracut]=1

# ------------------------------------------------------- peers' packages
need=()
{ want it-list || want it-most; } && need+=(initramfs-tools-core)
want dracut && need+=(dracut-core)
want tiny && need+=(tiny-initramfs-core)
[ ${#need[@]} -eq 0 ] || peers_setup "${need[@]}" || die "cannot set up the peers"

# --------------------------------------------------- the module chain
# What our -M virtio -M ext4 image loads for this root (set_chain): the
# module list the "same modules" peers and the floor get, in load order
set_chain virtio ext4 > "$WORK/chain" || die "cannot resolve the module chain"
mod_names < "$WORK/chain" > "$WORK/mods"
[ -s "$WORK/mods" ] || die "no modules in the chain of -M virtio -M ext4"

# ----------------------------------------------------------- header
printf 'kernel: %s (Debian linux-image-amd64), host: %d CPUs, QEMU TCG (%s)\n' \
	"$KVER" "$(nproc)" "$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')"
want tiny && printf 'tiny-initramfs-core %s\n' "$(pkg_version tiny-initramfs-core)"
{ want it-list || want it-most; } &&
	printf 'initramfs-tools-core %s (COMPRESS=%s as in /etc/initramfs-tools)\n' \
		"$(pkg_version initramfs-tools-core)" \
		"$(sed -n 's/^COMPRESS=//p' /etc/initramfs-tools/initramfs.conf | tail -1)"
want dracut && printf 'dracut-core %s, systemd %s\n' "$(pkg_version dracut-core)" \
	"$(pkg_installed systemd && pkg_version systemd || echo 'not installed')"
extras=""
for p in udev systemd mdadm lvm2 cryptsetup dmraid console-setup busybox pigz zstd; do
	pkg_installed "$p" && extras="$extras $p"
done
printf 'optional tools installed (the peers'"'"' hooks add what is present):%s\n' "${extras:- none}"
printf 'module chain (%d): %s\n' "$(wc -l < "$WORK/mods")" "$(tr '\n' ' ' < "$WORK/mods")"
if [ -n "$NOBOOT" ]; then
	printf 'no boots (NOBOOT=1): generation and image size only\n\n'
else
	printf 'boots: %s per system, root=UUID=%s on virtio-blk, 512 MB, console=ttyS0 panic=-1\n\n' \
		"$BOOTS" "$ROOT_UUID"
fi

# ------------------------------------------------------- generation
[ -n "$NOBOOT" ] || mkdisk_ext4 "$WORK/root.img" || die "cannot make the root disk"
for s in $SYSTEMS; do
	out=$WORK/$s.img
	if [ "$s" = floor ]; then
		log "building the floor image"
		if floor_image "$out" "$WORK/chain" "$WORK/root.img"; then
			GEN[$s]="-"
		else
			GEN[$s]=FAIL; log "  the floor failed to build"
		fi
		CMD[$s]="klcc init + find . | cpio -o -H newc | gzip -9"
	else
		n=$GENS
		[ -n "${SLOW[$s]:-}" ] && n=$GENS_SLOW
		bench_gen_cmd "$s" "$out" || die "cannot set up ${LABEL[$s]}"
		CMD[$s]="${G[*]}"
		log "generating: ${LABEL[$s]} x $n"
		: > "$WORK/$s.gen"
		for i in $(seq "$n"); do
			if ! timeit "${G[@]}" >> "$WORK/$s.gen"; then
				printf '%s: generation FAILED: %s\n' "${LABEL[$s]}" "${G[*]}"
				tail -15 "$WORK/gen.log" | indent
				GEN[$s]=FAIL
				break
			fi
		done
		[ "${GEN[$s]:-}" = FAIL ] || GEN[$s]=$(median < "$WORK/$s.gen")
		NGEN[$s]=$n
	fi
	if [ "${GEN[$s]}" != FAIL ] && [ -s "$out" ]; then
		SIZE[$s]=$(stat -c %s "$out")
	else
		GEN[$s]=FAIL SIZE[$s]=FAIL
	fi
done

# ------------------------------------------------------------ boots
for s in $SYSTEMS; do : > "$WORK/$s.kt"; : > "$WORK/$s.it"; OKB[$s]=0; done
[ -z "$NOBOOT" ] || BOOTS=0
for r in $(seq "$BOOTS"); do	# interleaved: drift hits every system alike
	for s in $SYSTEMS; do
		[ "${SIZE[$s]}" = FAIL ] && continue
		limit=120
		[ -n "${SLOW[$s]:-}" ] || [ "$s" = it-list ] && limit=180
		log "boot $r/$BOOTS: ${LABEL[$s]}"
		boot "$s-$r" "$limit" "$WORK/$s.img" "root=UUID=$ROOT_UUID" \
			-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
		rc=$?
		logf=$WORK/$s-$r.log
		if k=$(kstart_to_token "$logf") && i=$(init_to_token "$logf"); then
			echo "$k" >> "$WORK/$s.kt"
			echo "$i" >> "$WORK/$s.it"
			OKB[$s]=$((OKB[$s] + 1))
		else
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="timed out after ${limit}s"
			elif grep -aq 'Kernel panic' "$logf"; then why="kernel panic; QEMU exited $rc"
			else why="QEMU exited $rc"; fi
			printf '%s: boot %d FAILED (%s, no %s line); the log ends:\n' \
				"${LABEL[$s]}" "$r" "$why" "$TOKEN"
			show_log "$logf"
		fi
	done
done
for s in $SYSTEMS; do
	KT[$s]=$(median < "$WORK/$s.kt") IT[$s]=$(median < "$WORK/$s.it")
	KT[$s]=${KT[$s]:-FAIL} IT[$s]=${IT[$s]:-FAIL}
	[ "${SIZE[$s]}" = FAIL ] || [ -n "$NOBOOT" ] && KT[$s]="-" IT[$s]="-"
done

# ------------------------------------------------------------ table
echo
printf '%-34s | %12s | %12s | %14s | %14s | %s\n' system "generation s" "image bytes" \
	"kernel->root s" "/init->root s" "boots ok"
printf -- '-%.0s' $(seq 110); echo
for s in $SYSTEMS; do
	g=${GEN[$s]}
	[ -n "${NGEN[$s]:-}" ] && [ "$g" != FAIL ] && g="$g (n=${NGEN[$s]})"
	ok="${OKB[$s]}/$BOOTS"
	[ -z "$NOBOOT" ] || ok=-
	printf '%-34s | %12s | %12s | %14s | %14s | %s\n' "${LABEL[$s]}" "$g" "${SIZE[$s]}" \
		"${KT[$s]}" "${IT[$s]}" "$ok"
done
if [ -z "$NOBOOT" ]; then
	echo
	echo "each boot (kernel start -> root's init / /init start -> root's init, s):"
	for s in $SYSTEMS; do
		[ "${SIZE[$s]}" = FAIL ] && continue
		printf '  %-34s %s\n' "${LABEL[$s]}" \
			"$(paste -d/ "$WORK/$s.kt" "$WORK/$s.it" | tr '\n' ' ')"
	done
fi

# ----------------------------------------------------------- ratios
num() { case $1 in '' | *[!0-9.]* | .) return 1 ;; esac; }
# cmp WHAT PEER OURS MORE LESS: "peer/ours = Nx MORE" or "Nx LESS"
cmp() {
	if ! num "$2" || ! num "$3"; then printf '    %-26s n/a (%s vs %s)\n' "$1:" "$2" "$3"; return; fi
	awk -v w="$1" -v p="$2" -v o="$3" -v more="$4" -v less="$5" 'BEGIN {
		if (o == 0 || p == 0) { printf "    %-26s n/a\n", w ":"; exit }
		r = p / o
		if (r > 0.995 && r < 1.005) printf "    %-26s about the same (%s vs %s)\n", w ":", o, p
		else if (r >= 1) printf "    %-26s ours %.2fx %s (%s vs %s)\n", w ":", r, more, o, p
		else printf "    %-26s ours %.2fx %s (%s vs %s)\n", w ":", 1 / r, less, o, p }'
}
ratios() {	# PEER OURS
	local p=$1 o=$2
	printf '  %s vs %s\n' "${LABEL[$o]}" "${LABEL[$p]}"
	cmp "generation" "${GEN[$p]}" "${GEN[$o]}" "faster" "SLOWER"
	cmp "image size" "${SIZE[$p]}" "${SIZE[$o]}" "smaller" "LARGER"
	[ -n "$NOBOOT" ] && return
	cmp "kernel start->root init" "${KT[$p]}" "${KT[$o]}" "sooner" "LATER"
	cmp "/init start->root init" "${IT[$p]}" "${IT[$o]}" "faster" "SLOWER"
}
echo
echo "ratios (peer / ours; \"ours Nx faster\" means the peer takes N times as long):"
for p in tiny it-list it-most dracut; do
	want "$p" && ratios "$p" ours
done
for p in it-most dracut; do	# the generic peers against our generic image too
	want "$p" && want ours-generic && ratios "$p" ours-generic
done
# quot WHAT A B: A / B, both shown
quot() {
	if ! num "$2" || ! num "$3"; then printf '    %-26s n/a (%s vs %s)\n' "$1:" "$2" "$3"; return; fi
	awk -v w="$1" -v a="$2" -v b="$3" 'BEGIN {
		if (b == 0) printf "    %-26s n/a\n", w ":"
		else if (a == int(a) && b == int(b)) printf "    %-26s %.2fx (%s vs %s, %+d)\n", w ":", a / b, a, b, a - b
		else printf "    %-26s %.2fx (%s vs %s, %+.3f s)\n", w ":", a / b, a, b, a - b }'
}
if want ours-generic && [ -z "$NOBOOT" ]; then
	echo "  ours generic vs ours -M virtio -M ext4 (generic / small)"
	quot "kernel start->root init" "${KT[ours-generic]}" "${KT[ours]}"
	quot "/init start->root init" "${IT[ours-generic]}" "${IT[ours]}"
fi
if want floor; then
	echo "  ours -M virtio -M ext4 vs the floor (ours / floor)"
	quot "/init start->root init" "${IT[ours]}" "${IT[floor]}"
	quot "kernel start->root init" "${KT[ours]}" "${KT[floor]}"
	quot "image size" "${SIZE[ours]}" "${SIZE[floor]}"
fi
echo
echo "commands:"
for s in $SYSTEMS; do
	printf '  %-34s %s\n' "${LABEL[$s]}" "${CMD[$s]//$WORK/\$WORK}"
done

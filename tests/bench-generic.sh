#!/bin/bash
# tests/bench-generic.sh - part of 'make bench': issue 18's figures, in one
# run on the test kernel, every system booted in turn within each round so
# that drift hits all alike.
#
# 1. The marker root (tests/qemu/guest-init on ext4, virtio-blk,
#    root=UUID=), in two guest shapes: "-cpu max -smp 2" first (a CPU like
#    real hardware's, two of them: the figure the README quotes), then
#    "-smp 1" (QEMU's qemu64 CPU, without SSE4.2: the shape of the earlier
#    figures).  Systems: ours -M virtio -M ext4 ("small"), ours --generic,
#    the hand-made floor (floor_image in tests/lib.sh: a klcc init loading
#    the exact chain, root=/dev/vda; calibrated in each shape) and
#    tiny-initramfs with the same chain.  Per boot, from the kernel's log:
#      kernel->root  kernel start -> the root's init (its token's printk time)
#      /init->root   "Run /init as init process" -> the token
#      unpack        the kernel's initramfs unpacking window: "Trying to
#                    unpack rootfs image as initramfs..." -> "Freeing initrd
#                    memory" (unpack_window in tests/lib.sh)
# 2. What a user feels: the Debian 12 root with systemd of
#    tests/qemu/debroot.sh (the debroot-plain case's cached disk, writes
#    dropped), "-cpu max -smp 2", 1024 MB, root=UUID= ro.  (With 512 MB,
#    dracut's 42 MB image leaves the guest short of memory once the root's
#    udev loads its drivers: soft lockups of 20-30 s and multi-user.target
#    at 90-100 s instead of about 50, which no real machine would show.)
#    Systems: ours small, ours --generic, initramfs-tools MODULES=list (the
#    same modules) and MODULES=most, dracut --no-hostonly.  Per boot, on
#    systemd's clock (CLOCK_MONOTONIC, which like the printk stamps counts
#    from the kernel's start), from what the root's initkit-report.service
#    prints on the console:
#      ->systemd     kernel start -> the root's systemd starts: "(kernel)"
#                    plus "(initrd)" of systemd-analyze's "Startup
#                    finished" line (the initrd part when the image runs
#                    systemd itself: dracut); ms
#      ->multi-user  kernel start -> multi-user.target active (its
#                    ActiveEnterTimestampMonotonic; the report prints it in
#                    steps of 0.1 s, rounded down)
#      failed        systemctl --failed's count (must be 0) and the state
# Figures: median and spread (min-max) per system, the ratios issue 18's
# targets use, and a closing table to quote.
#
#   BOOTS=N    marker-root boots per system and shape (default 15)
#   ROUNDS=N   systemd-root rounds (default 4)
#   PARTS="max qemu64 systemd"  the parts to run (default all three)
#   KEEP=1     keep the work directory (images, boot logs)
# Durations on the 2-CPU machine without KVM, wall time of a boot (about
# 5 s of it QEMU's start and the kernel's decompression, before the
# kernel's clock starts): a marker-root boot 6-7 s, a systemd-root boot
# 15-25 s for ours, 30-60 s for the peers (QEMU quits once the root has
# reported; no poweroff): a round of the five about 3 minutes.  At the
# defaults: images 1 min, each shape about 6.5 min, the systemd root about
# 12 min: 26 minutes.  Without BOOTS/ROUNDS at their defaults, the end says
# what the defaults would take, from the run's own boots.
# Needs root (the peers read /lib/modules, the floor's mknod, mmdebstrap
# for the root once per machine: tests/qemu/debroot.sh); installs the peers
# like tests/bench-peers.sh (peers_setup).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qemu/hooks.sh"
. "$(dirname "$0")/qemu/debroot.sh"

DEF_BOOTS=15 DEF_ROUNDS=4 DEB_MEM=1024
BOOTS=${BOOTS:-$DEF_BOOTS} ROUNDS=${ROUNDS:-$DEF_ROUNDS} PARTS=${PARTS:-max qemu64 systemd}
die() { log "bench-generic: $*"; exit 1; }
for n in "$BOOTS" "$ROUNDS"; do
	case $n in '' | *[!0-9]* | 0) die "BOOTS and ROUNDS are numbers >= 1" ;; esac
done
for p in $PARTS; do
	case $p in max | qemu64 | systemd) ;; *) die "PARTS: max, qemu64, systemd" ;; esac
done
want_part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
[ "$(id -u)" = 0 ] || die "run as root (the peers' /lib/modules, mknod, mmdebstrap)"
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/init/init" ] && [ -f "$TOP/tests/qemu/guest-init" ] ||
	die "build first: make"
ensure_kernel || die "no test kernel"

bench_workdir bench-generic || die "no work directory"
T_START=$SECONDS

declare -A SHAPE LABEL SIZE ELAPSED NB WALL
SHAPE[max]="-cpu max -smp 2" SHAPE[qemu64]="-smp 1"
LABEL[ours]="ours -M virtio -M ext4"
LABEL[ours-generic]="ours --generic"
LABEL[floor]="floor (klcc init, exact chain)"
LABEL[tiny]="tiny-initramfs (same chain)"
LABEL[it-list]="initramfs-tools MODULES=list"
LABEL[it-most]="initramfs-tools MODULES=most"
LABEL[dracut]="dracut --no-hostonly"
MARKER_SYSTEMS="ours ours-generic floor tiny"
DEB_SYSTEMS="ours ours-generic it-list it-most dracut"

# the wall time of one boot, added to part $1's tally
now() { date +%s%N; }
tally() { NB[$1]=$((${NB[$1]:-0} + 1)); WALL[$1]=$((${WALL[$1]:-0} + ($3 - $2) / 1000000)); }
mins() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
# ratio A B: A / B to 2 decimals, "-" when either is missing
ratio() {
	case "$1:$2" in *[!0-9.:]* | :* | *:) echo -; return ;; esac
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "-" }'
}
# verdict R TARGET: "met" when R <= TARGET, else "MISSED"
verdict() {
	[ "$1" != - ] || { echo "n/a"; return; }
	awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t ? "met" : "MISSED") }'
}
med() { median < "$1"; }

# ---- images ----------------------------------------------------------------
need=()
want_part max || want_part qemu64 && need+=(tiny-initramfs-core)
want_part systemd && need+=(initramfs-tools-core dracut-core)
peers_setup "${need[@]}" || die "cannot set up the peers"
set_chain virtio ext4 > "$WORK/chain" || die "cannot resolve the module chain"
mod_names < "$WORK/chain" > "$WORK/mods"
SYSTEMS="ours ours-generic"
want_part max || want_part qemu64 && SYSTEMS="$SYSTEMS tiny"
want_part systemd && SYSTEMS="$SYSTEMS it-list it-most dracut"
for s in $SYSTEMS; do
	log "building: ${LABEL[$s]}"
	bench_gen_cmd "$s" "$WORK/$s.img" || die "cannot set up ${LABEL[$s]}"
	"${G[@]}" > "$WORK/$s.gen.log" 2>&1 && [ -s "$WORK/$s.img" ] ||
		{ tail -15 "$WORK/$s.gen.log" | indent >&2; die "${LABEL[$s]}: the image failed: ${G[*]}"; }
	SIZE[$s]=$(stat -c %s "$WORK/$s.img")
done

printf 'kernel: %s (Debian), host: %d CPUs, QEMU %s TCG (no KVM)\n' "$KVER" "$(nproc)" \
	"$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')"
printf 'module chain (%d, -M virtio -M ext4): %s\n' "$(wc -l < "$WORK/mods")" "$(tr '\n' ' ' < "$WORK/mods")"
vers=""
want_part max || want_part qemu64 && vers="tiny-initramfs-core $(pkg_version tiny-initramfs-core), "
want_part systemd && vers="${vers}initramfs-tools-core $(pkg_version initramfs-tools-core), dracut-core $(pkg_version dracut-core), host systemd $(pkg_version systemd) (dracut's initrd runs it)"
printf '%s\n' "${vers%, }"
ELAPSED[images]=$((SECONDS - T_START))

# ---- part 1: the marker root, one shape ---------------------------------------
# marker KEY: BOOTS rounds of MARKER_SYSTEMS in shape SHAPE[KEY]
marker() {
	local key=$1 t0=$SECONDS r s n b0 b1 sz fail=0
	export INITKIT_QEMU_SHAPE=${SHAPE[$key]}
	printf '\n== marker root, guest %s, 512 MB: %d boots per system, in turn ==\n' "$INITKIT_QEMU_SHAPE" "$BOOTS"
	log "[$key] building the floor (a calibration boot)"
	floor_image "$WORK/floor-$key.img" "$WORK/chain" "$WORK/root.img" ||
		die "the floor failed ($INITKIT_QEMU_SHAPE)"
	ln -sf "floor-$key.img" "$WORK/floor.img"
	SIZE[floor-$key]=$(stat -c %s "$WORK/floor-$key.img")
	for s in $MARKER_SYSTEMS; do
		n=$key-$s
		: > "$WORK/$n.kt"; : > "$WORK/$n.it"; : > "$WORK/$n.ut"
	done
	for r in $(seq "$BOOTS"); do
		log "[$key] round $r/$BOOTS"
		for s in $MARKER_SYSTEMS; do
			n=$key-$s
			b0=$(now)
			if bench_boot "$n" "$r" "${LABEL[$s]} ($INITKIT_QEMU_SHAPE)" 120 "$WORK/$s.img" \
				"root=UUID=$ROOT_UUID" "$WORK/root.img"; then
				unpack_window "$WORK/$n-$r.log" >> "$WORK/$n.ut" ||
					log "${LABEL[$s]}: boot $r has no unpacking lines"
			else
				fail=$((fail + 1))
			fi
			b1=$(now)
			tally "$key" "$b0" "$b1"
		done
	done
	printf '%-32s %9s  %-24s %-24s %-24s\n' system "bytes" "kernel->root s" "/init->root s" "unpack s"
	for s in $MARKER_SYSTEMS; do
		n=$key-$s
		sz=${SIZE[$s]:-${SIZE[floor-$key]}}
		printf '%-32s %9s  %-24s %-24s %-24s\n' "${LABEL[$s]}" "$sz" "$(med_spread "$WORK/$n.kt")" \
			"$(med_spread "$WORK/$n.it")" "$(med_spread "$WORK/$n.ut")"
	done
	[ "$fail" = 0 ] || printf 'FAILED boots: %d (their logs above, on stderr)\n' "$fail"
	# the ratios of medians
	R[$key.unpack]=$(ratio "$(med "$WORK/$key-ours-generic.ut")" "$(med "$WORK/$key-ours.ut")")
	R[$key.kt]=$(ratio "$(med "$WORK/$key-ours-generic.kt")" "$(med "$WORK/$key-ours.kt")")
	R[$key.floor]=$(ratio "$(med "$WORK/$key-ours.it")" "$(med "$WORK/$key-floor.it")")
	R[$key.tiny.it]=$(ratio "$(med "$WORK/$key-ours.it")" "$(med "$WORK/$key-tiny.it")")
	R[$key.tiny.kt]=$(ratio "$(med "$WORK/$key-ours.kt")" "$(med "$WORK/$key-tiny.kt")")
	echo "ratios of medians:"
	printf '  %-44s %6sx  target <= 2: %s\n' "generic / small, unpack window" "${R[$key.unpack]}" \
		"$(verdict "${R[$key.unpack]}" 2)"
	printf '  %-44s %6sx  target <= 1.05%s\n' "generic / small, kernel->root" "${R[$key.kt]}" \
		"$([ "$key" = max ] && echo ": $(verdict "${R[$key.kt]}" 1.05)" || echo " (-cpu max -smp 2)")"
	printf '  %-44s %6sx  target <= 1.03: %s\n' "small / floor, /init->root" "${R[$key.floor]}" \
		"$(verdict "${R[$key.floor]}" 1.03)"
	printf '  %-44s %6sx  target < 1: %s\n' "small / tiny-initramfs, /init->root" "${R[$key.tiny.it]}" \
		"$(verdict "${R[$key.tiny.it]}" 0.9999)"
	printf '  %-44s %6sx\n' "small / tiny-initramfs, kernel->root" "${R[$key.tiny.kt]}"
	ELAPSED[$key]=$((SECONDS - t0))
	printf 'elapsed: %s\n' "$(mins "${ELAPSED[$key]}")"
	unset INITKIT_QEMU_SHAPE
}

declare -A R
if want_part max || want_part qemu64; then
	mkdisk_ext4 "$WORK/root.img" || die "cannot make the marker root disk"
fi
want_part max && marker max
want_part qemu64 && marker qemu64

# ---- part 2: the Debian root with systemd ------------------------------------
# startup_before_systemd LOG: seconds from the kernel's start to the root's
# systemd, "(kernel)" + "(initrd)" of the report's systemd-analyze line, e.g.
# "Startup finished in 1.2s (kernel) + 3.4s (initrd) + 13.6s (userspace) = 18.2s"
# (timespans as systemd writes them: 1min 2.345s, 831ms)
startup_before_systemd() {
	tr -d '\r' < "$1" | awk '
		function span(t,   n, i, w, v) {
			v = 0; n = split(t, w, " ")
			for (i = 1; i <= n; i++) {
				if (w[i] ~ /^[0-9.]+h$/) v += w[i] * 3600
				else if (w[i] ~ /^[0-9.]+min$/) v += w[i] * 60
				else if (w[i] ~ /^[0-9.]+ms$/) v += w[i] / 1000
				else if (w[i] ~ /^[0-9.]+(us|µs)$/) v += w[i] / 1e6
				else if (w[i] ~ /^[0-9.]+s$/) v += w[i]
			}
			return v
		}
		/initkit-debroot: Startup finished in / && !done {
			done = 1; s = $0
			sub(/.*Startup finished in /, "", s); sub(/ = .*/, "", s)
			n = split(s, part, / \+ /)
			for (i = 1; i <= n; i++)
				if (part[i] ~ /\((kernel|initrd)\)/) { p = part[i]; sub(/ \(.*/, "", p); t += span(p); ok = 1 }
		}
		END { if (ok) printf "%.3f\n", t; else exit 1 }'
}
# multi_user LOG: the report's "multi-user.target is active, reached X s"
multi_user() {
	tr -d '\r' < "$1" | sed -n 's/.*initkit-debroot: multi-user.target is active, reached \([0-9.]*\) s after.*/\1/p' |
		head -1 | grep .
}
# failed_units LOG: "N STATE" from the report's last line
failed_units() {
	tr -d '\r' < "$1" | sed -n 's/.*initkit-debroot: failed=\([0-9]*\) state=\([a-z-]*\).*/\1 \2/p' | head -1 | grep .
}

# deb_boot NAME LIMIT IMAGE APPEND DISK: a boot of the systemd root, log
# $WORK/NAME.log; QEMU quits (its monitor's "quit", on a pipe as in
# tests/qemu/boot-tests.sh) once the report's last line is out, instead of
# waiting for systemd's poweroff, which no figure needs.  QEMU's status.
deb_boot() {
	local logf=$WORK/$1.log mon=$WORK/mon qpid catpid rc
	rm -f "$mon.in" "$mon.out" && mkfifo "$mon.in" "$mon.out" || return 1
	: > "$logf"
	exec 8<>"$mon.in"
	cat "$mon.out" > /dev/null &
	catpid=$!
	qemu_vm -t "$2" -m "$DEB_MEM" -i "$3" -a "$4" -s "file:$logf" -M "" -- \
		-chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=readline \
		-drive "file=$5,if=virtio,format=raw,snapshot=on" </dev/null >/dev/null 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if grep -aq 'initkit-debroot: failed=' "$logf"; then
			sleep 1	# the line's end
			printf 'quit\n' >&8
			break
		fi
		sleep 0.5
	done
	wait "$qpid"; rc=$?
	exec 8>&-
	kill "$catpid" 2>/dev/null; wait "$catpid" 2>/dev/null
	return "$rc"
}

systemd_root() {
	local t0=$SECONDS disk r s n b0 b1 f app lim
	export INITKIT_QEMU_SHAPE=${SHAPE[max]}
	printf '\n== Debian 12 root with systemd, guest %s, %d MB: %d rounds, the systems in turn ==\n' \
		"$INITKIT_QEMU_SHAPE" "$DEB_MEM" "$ROUNDS"
	disk=$(cached_disk debroot mkdisk_debroot "$DEBROOT_UUID" "$KVER") || die "no Debian root disk"
	cat "$disk" > /dev/null	# into the host's page cache, not at the first boot's cost
	app="root=UUID=$DEBROOT_UUID ro"
	for s in $DEB_SYSTEMS; do : > "$WORK/deb-$s.sd"; : > "$WORK/deb-$s.mu"; : > "$WORK/deb-$s.failed"; done
	for r in $(seq "$ROUNDS"); do
		log "[systemd] round $r/$ROUNDS"
		for s in $DEB_SYSTEMS; do
			n=deb-$s lim=300
			b0=$(now)
			deb_boot "$n-$r" "$lim" "$WORK/$s.img" "$app" "$disk"
			b1=$(now)
			tally systemd "$b0" "$b1"
			if ! f=$(failed_units "$WORK/$n-$r.log"); then
				log "${LABEL[$s]}: systemd-root boot $r did not report (timed out after $lim s?); the log ends:"
				show_log "$WORK/$n-$r.log" >&2
				echo "no-report" >> "$WORK/$n.failed"
				continue
			fi
			echo "$f" >> "$WORK/$n.failed"
			startup_before_systemd "$WORK/$n-$r.log" >> "$WORK/$n.sd" ||
				log "${LABEL[$s]}: boot $r: no systemd-analyze line"
			multi_user "$WORK/$n-$r.log" >> "$WORK/$n.mu" ||
				log "${LABEL[$s]}: boot $r: multi-user.target not reported active"
		done
	done
	printf '%-32s %9s  %-24s %-24s %s\n' system bytes "kernel->systemd s" "kernel->multi-user s" "failed units"
	for s in $DEB_SYSTEMS; do
		n=deb-$s
		printf '%-32s %9s  %-24s %-24s %s\n' "${LABEL[$s]}" "${SIZE[$s]}" "$(med_spread "$WORK/$n.sd" 2)" \
			"$(med_spread "$WORK/$n.mu" 1)" "$(failed_summary "$WORK/$n.failed")"
	done
	ELAPSED[systemd]=$((SECONDS - t0))
	printf 'elapsed: %s\n' "$(mins "${ELAPSED[systemd]}")"
	unset INITKIT_QEMU_SHAPE
}
# failed_summary FILE: "0" when every boot reported failed=0 state=running,
# else each boot's count and state
failed_summary() {
	if [ -s "$1" ] && ! grep -qv '^0 running$' "$1"; then echo 0; else tr '\n' ',' < "$1" | sed 's/,$//'; fi
}

want_part systemd && systemd_root

# ---- the closing table ----------------------------------------------------------
ELAPSED[total]=$((SECONDS - T_START))
printf '\n== summary (medians of alternating boots; spread min-max) ==\n'
if want_part max || want_part qemu64; then
	printf '\n| marker root, %d boots per system and shape | -cpu max -smp 2 | -smp 1 (qemu64) | target |\n' "$BOOTS"
	echo '|---|---|---|---|'
	cell() {	# KEY RATIO NUM DEN: "R x (NUM / DEN s)"
		want_part "$1" || { echo "-"; return; }
		printf '%sx (%s / %s s)' "$2" "$(med "$WORK/$1-$3")" "$(med "$WORK/$1-$4")"
	}
	printf '| unpack window, generic / small | %s | %s | <= 2x: max %s |\n' \
		"$(cell max "${R[max.unpack]:-}" ours-generic.ut ours.ut)" \
		"$(cell qemu64 "${R[qemu64.unpack]:-}" ours-generic.ut ours.ut)" "$(verdict "${R[max.unpack]:--}" 2)"
	printf '| kernel start -> root init, generic / small | %s | %s | <= 1.05x: max %s |\n' \
		"$(cell max "${R[max.kt]:-}" ours-generic.kt ours.kt)" \
		"$(cell qemu64 "${R[qemu64.kt]:-}" ours-generic.kt ours.kt)" "$(verdict "${R[max.kt]:--}" 1.05)"
	printf '| /init start -> root init, small / floor | %s | %s | <= 1.03x: max %s, qemu64 %s |\n' \
		"$(cell max "${R[max.floor]:-}" ours.it floor.it)" \
		"$(cell qemu64 "${R[qemu64.floor]:-}" ours.it floor.it)" \
		"$(verdict "${R[max.floor]:--}" 1.03)" "$(verdict "${R[qemu64.floor]:--}" 1.03)"
	printf '| /init start -> root init, small / tiny-initramfs | %s | %s | < 1x: max %s, qemu64 %s |\n' \
		"$(cell max "${R[max.tiny.it]:-}" ours.it tiny.it)" \
		"$(cell qemu64 "${R[qemu64.tiny.it]:-}" ours.it tiny.it)" \
		"$(verdict "${R[max.tiny.it]:--}" 0.9999)" "$(verdict "${R[qemu64.tiny.it]:--}" 0.9999)"
	printf '| kernel start -> root init, small / tiny-initramfs | %s | %s | |\n' \
		"$(cell max "${R[max.tiny.kt]:-}" ours.kt tiny.kt)" \
		"$(cell qemu64 "${R[qemu64.tiny.kt]:-}" ours.kt tiny.kt)"
fi
if want_part systemd; then
	printf '\n| Debian 12 + systemd, -cpu max -smp 2, %d MB, %d rounds | kernel start -> systemd s | kernel start -> multi-user.target s | failed units |\n' \
		"$DEB_MEM" "$ROUNDS"
	echo '|---|---|---|---|'
	for s in $DEB_SYSTEMS; do
		printf '| %s | %s | %s | %s |\n' "${LABEL[$s]}" "$(med_spread "$WORK/deb-$s.sd" 2)" \
			"$(med_spread "$WORK/deb-$s.mu" 1)" "$(failed_summary "$WORK/deb-$s.failed")"
	done
	# target: each of ours reaches multi-user.target sooner than every peer
	for s in $DEB_SYSTEMS; do echo "$s $(med "$WORK/deb-$s.mu")"; done | awk '
		NF < 2 { miss = 1; next }
		$1 ~ /^ours/ { if (slow == "" || $2 > slow) slow = $2; next }
		{ if (fast == "" || $2 < fast) fast = $2 }
		END {
			if (miss || slow == "" || fast == "") { print "\nmulti-user.target, ours against the peers: n/a (a system has no figure)"; exit }
			printf "\nmulti-user.target sooner with each of ours than with every peer: %s (ours at most %s s, the fastest peer %s s)\n",
				(slow < fast ? "met" : "MISSED"), slow, fast }'
fi
printf '\nelapsed:'
for p in images max qemu64 systemd; do
	[ -z "${ELAPSED[$p]:-}" ] || printf ' %s %s;' "$p" "$(mins "${ELAPSED[$p]}")"
done
printf ' total %s\n' "$(mins "${ELAPSED[total]}")"
# at the defaults: each part's time outside its boots, plus its boots at
# this run's mean wall time per boot
if [ "$BOOTS" != "$DEF_BOOTS" ] || [ "$ROUNDS" != "$DEF_ROUNDS" ]; then
	est=${ELAPSED[images]}
	line=""
	for p in max qemu64 systemd; do
		[ -n "${NB[$p]:-}" ] || continue
		per=$((WALL[$p] / NB[$p]))	# ms a boot
		if [ "$p" = systemd ]; then nb=$((DEF_ROUNDS * $(wc -w <<< "$DEB_SYSTEMS")))
		else nb=$((DEF_BOOTS * $(wc -w <<< "$MARKER_SYSTEMS")))
		fi
		e=$((ELAPSED[$p] - WALL[$p] / 1000 + nb * per / 1000))
		est=$((est + e))
		line="$line $p $(mins "$e") (${per} ms a boot);"
	done
	printf 'at the defaults (BOOTS=%d, ROUNDS=%d), from this run'"'"'s boots:%s total about %s\n' \
		"$DEF_BOOTS" "$DEF_ROUNDS" "$line" "$(mins "$est")"
fi

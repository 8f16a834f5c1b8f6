#!/bin/bash
# tests/qemu/boot-tests.sh - boot Debian's kernel with our images under QEMU
# (TCG) and assert what the user would see: every bus, every root form,
# every failure we promise a clear message for.  The cases are data, in
# tests/qemu/cases (its header describes the format); shell that a case
# needs beyond data is in tests/qemu/hooks.sh.  Cases run in parallel, one
# per CPU.  Prints "ok NAME" / "not ok NAME"; a failing case shows the tail
# of its serial log.
#   CASES="a b"       run only these cases (names as printed, '-' or '_')
#   CASEFILE=FILE     read the cases from FILE instead
#   INITKIT_WORK=DIR  work there and keep it (images, logs)
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tinykernel.sh"
. "$(dirname "$0")/hooks.sh"
. "$(dirname "$0")/debroot.sh"
ensure_kernel || { echo "not ok qemu-kernel-available"; exit 0; }
WORK=${INITKIT_WORK:-$(mktemp -d /tmp/initkit-boot.XXXXXX)}
mkdir -p "$WORK"
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")
CASEFILE=${CASEFILE:-$TOP/tests/qemu/cases}
# Debian 12's 6.12 kernel (lib.sh: KVER612, KROOT612, VMLINUZ612), fetched
# once into the cache, when the case file names it.  If it cannot be had,
# the cases that boot it fail with the reason.
K612_ERR=""
if grep -qE 'KVER612|KROOT612|VMLINUZ612' "$CASEFILE" &&
   ! ensure_kernel_612 2> "$WORK/kernel-612.log"; then
	K612_ERR="Debian's 6.12 kernel: $(tail -1 "$WORK/kernel-612.log")"
	KVER612=6.12-unavailable KROOT612=/nonexistent-6.12 VMLINUZ612=/nonexistent-6.12
fi

# --- the data ---------------------------------------------------------------
# F[CASE.FIELD] for the case, F[CASE.BOOT.FIELD] for one of its boots; list
# fields hold one item a line.
declare -A F=() RECIPE=()
names=()
parse_cases() {
	local line kw rest val n=0 c="" b=0 v
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		line=${line#"${line%%[![:space:]]*}"}
		case $line in "" | "#"*) continue ;; esac
		kw=${line%%[[:space:]]*}
		rest=${line#"$kw"}
		rest=${rest#"${rest%%[![:space:]]*}"}
		if [ "$kw" = case ]; then
			c=${rest%%[[:space:]]*} b=1
			[ -n "$c" ] && [ -z "${F[$c.boots]:-}" ] ||
				{ echo "not ok qemu-cases: $CASEFILE:$n: case needs a new name"; return 1; }
			names+=("$c")
			F[$c.boots]=1 F[$c.1.timeout]=120
			continue
		fi
		eval "val=\"$rest\"" ||
			{ echo "not ok qemu-cases: $CASEFILE:$n: cannot expand: $rest"; return 1; }
		case $kw in
		var) v=${val%%[[:space:]]*}; val=${val#"$v"}; printf -v "$v" '%s' "${val#"${val%%[![:space:]]*}"}"; continue ;;
		mkdisk) v=${val%%[[:space:]]*}; RECIPE[$v]=${val#"$v"}; continue ;;
		esac
		[ -n "$c" ] || { echo "not ok qemu-cases: $CASEFILE:$n: $kw outside a case"; return 1; }
		case $kw in
		image | initrd | kernel | memory | shape | firmware | uki) F[$c.$kw]=$val ;;
		prep | disk) F[$c.$kw]+=$val$'\n' ;;
		append) F[$c.$b.append]+=${F[$c.$b.append]:+ }$val ;;
		qemu) F[$c.$b.qemu]+=" $val" ;;
		timeout) F[$c.$b.timeout]=$val ;;
		expect | reject | check) F[$c.$b.checks]+="$kw $val"$'\n' ;;
		wait | wait-new | type | keys | monitor | plug | unplug | sleep)
			F[$c.$b.steps]+="$kw $val"$'\n'
			[ "$kw" != plug ] || F[$c.plugs]+=$val$'\n' ;;
		boot) b=$((b + 1)); F[$c.boots]=$b F[$c.$b.timeout]=120 ;;
		*) echo "not ok qemu-cases: $CASEFILE:$n: unknown keyword $kw"; return 1 ;;
		esac
	done < "$CASEFILE"
}
parse_cases || exit 0

if [ -n "${CASES:-}" ]; then
	want=() bad=""
	for c in $CASES; do
		c=${c//_/-}
		[ -n "${F[$c.boots]:-}" ] && want+=("$c") || bad+=" $c"
	done
	[ -z "$bad" ] || echo "not ok qemu-cases: no such case:$bad"
	names=("${want[@]}")
fi

# --- what the chosen cases need: the small kernel, preps, images, disks -----
if [ -n "$K612_ERR" ]; then
	for c in "${names[@]}"; do
		[ "${F[$c.kernel]:-}" != "$VMLINUZ612" ] || F[$c.fail]=$K612_ERR
	done
fi
for c in "${names[@]}"; do
	if [ "${F[$c.kernel]:-}" = tiny ]; then
		# the kernel's own image-initrd flow needs the ramdisk driver: built
		# from linux-source-6.1 once (~9 min), cached
		ensure_tiny_kernel >/dev/null 2>&1 || echo "not ok tiny-kernel-available"
		break
	fi
done

declare -A PREP_RC=() IMG=() IMG_ERR=() DISK=()
nimg=0
# mkimage ARG...: the image for these mkinitramfs arguments, built once a
# run; its path in MKIMAGE_PATH.  Non-zero (and IMG_ERR) if it failed.
mkimage() {
	local k="$*" out err
	if [ -z "${IMG[$k]:-}" ]; then
		nimg=$((nimg + 1)) out=$WORK/image-$nimg.img
		IMG[$k]=$out
		printf '%s: %s\n' "${out##*/}" "$k" >> "$WORK/images"
		"${MK[@]}" "$@" -o "$out" 2> "$out.gen" ||
			{ err=$(grep -v 'wants firmware' "$out.gen" | tail -1); IMG_ERR[$k]="mkinitramfs: ${err:-failed}"; }
	fi
	MKIMAGE_PATH=${IMG[$k]}
	[ -z "${IMG_ERR[$k]:-}" ]
}

# mkuki CASE ARG...: the case's UKI ($WORK/CASE.efi: mkinitramfs --uki
# with these arguments, the case's kernel and its first boot's append as
# the command line) on an ESP of its own ($WORK/CASE.esp).
mkuki() {
	local c=$1; shift
	"${MK[@]}" "$@" --kernel "$VMLINUZ" \
		--cmdline "console=ttyS0 panic=-1 no_timer_check ${F[$c.1.append]:-}" \
		--uki "$WORK/$c.efi" 2> "$WORK/$c.efi.gen" &&
		mkesp "$WORK/$c.esp" "$WORK/$c.efi" 2>> "$WORK/$c.efi.gen" &&
		F[$c.esp]=$WORK/$c.esp
}

for c in "${names[@]}"; do
	[ -z "${F[$c.fail]:-}" ] || continue	# failed already: nothing to build
	while read -r p; do
		[ -n "$p" ] || continue
		[ -n "${PREP_RC[$p]:-}" ] || { "$p" > "$WORK/prep-$p.log" 2>&1; PREP_RC[$p]=$?; }
		[ "${PREP_RC[$p]}" = 0 ] || F[$c.fail]="prep $p failed: $(tail -1 "$WORK/prep-$p.log")"
	done <<< "${F[$c.prep]:-}"
	if [ -n "${F[$c.image]:-}" ]; then
		read -ra args <<< "${F[$c.image]}"
		mkimage "${args[@]}" || F[$c.fail]="image: ${IMG_ERR[${args[*]}]}"
		F[$c.initrd]=$MKIMAGE_PATH
	fi
	if [ -n "${F[$c.uki]:-}" ]; then
		read -ra args <<< "${F[$c.uki]}"
		mkuki "$c" "${args[@]}" || F[$c.fail]="uki: $(grep -v 'wants firmware' "$WORK/$c.efi.gen" | tail -1)"
	fi
	while read -r d _; do
		[ -n "$d" ] && [ -z "${DISK[$d]:-}" ] || continue
		[ -n "${RECIPE[$d]:-}" ] || { F[$c.fail]="no disk recipe $d"; continue; }
		read -ra args <<< "${RECIPE[$d]}"
		DISK[$d]=$(cached_disk "$d" "${args[@]}") || { F[$c.fail]="disk $d: recipe failed"; DISK[$d]=""; }
	done <<< "${F[$c.disk]:-}${F[$c.plugs]:-}"
done

# --- one case ----------------------------------------------------------------
# controller BUS: the QEMU arguments for BUS's controller (none for virtio, nvme)
controller() {
	case $1 in
	scsi | cdrom) echo "-device virtio-scsi-pci,id=scsi" ;;
	sata) echo "-device ahci,id=ahci" ;;
	usb) echo "-device qemu-xhci,id=xhci" ;;
	ehci) echo "-device usb-ehci,id=ehci" ;;
	esac
}

# disk_args CASE: QEMU arguments for the case's controllers and disks
disk_args() {
	local c=$1 d bus rw file i=0 nsata=0 nnvme=0 snap ctlr
	local -A ctl=()
	while read -r d bus rw; do
		[ -n "$d" ] || continue
		bus=${bus:-virtio}
		ctlr=$(controller "$bus")
		[ -z "$ctlr" ] || [ -n "${ctl[$ctlr]:-}" ] || { ctl[$ctlr]=1; echo "$ctlr"; }
		file=${DISK[$d]} snap=,snapshot=on
		[ "$rw" != rw ] || file=$WORK/$c.$d.img snap=""
		case $bus in
		virtio) echo "-drive file=$file,if=virtio,format=raw$snap" ;;
		cdrom) echo "-drive file=$file,if=none,id=d$i,format=raw,media=cdrom,readonly=on -device scsi-cd,drive=d$i,bus=scsi.0" ;;
		scsi) echo "-drive file=$file,if=none,id=d$i,format=raw$snap -device scsi-hd,drive=d$i,bus=scsi.0" ;;
		sata) echo "-drive file=$file,if=none,id=d$i,format=raw$snap -device ide-hd,drive=d$i,bus=ahci.$nsata"; nsata=$((nsata + 1)) ;;
		nvme) echo "-drive file=$file,if=none,id=d$i,format=raw$snap -device nvme,serial=initkit$nnvme,drive=d$i"; nnvme=$((nnvme + 1)) ;;
		usb) echo "-drive file=$file,if=none,id=d$i,format=raw$snap -device usb-storage,bus=xhci.0,drive=d$i" ;;
		ehci) echo "-drive file=$file,if=none,id=d$i,format=raw$snap -device usb-storage,bus=ehci.0,drive=d$i" ;;
		*) echo "-bus-unknown-$bus" ;;
		esac
		i=$((i + 1))
	done <<< "${F[$c.disk]:-}"
	# controllers for the disks plugged in later
	while read -r d bus; do
		ctlr=$(controller "$bus")
		[ -n "$d" ] && [ -n "$ctlr" ] && [ -z "${ctl[$ctlr]:-}" ] || continue
		ctl[$ctlr]=1
		echo "$ctlr"
	done <<< "${F[$c.plugs]:-}"
}

# run_steps CASE BOOT LOG QPID DEADLINE: the boot's steps, console on fd 7,
# monitor on fd 8
run_steps() {
	local c=$1 b=$2 logf=$3 qpid=$4 deadline=$5 verb_arg verb arg d bus dev mark=0 from k
	while IFS= read -r verb_arg; do
		[ -n "$verb_arg" ] || continue
		verb=${verb_arg%% *} arg=${verb_arg#"$verb"} arg=${arg# }
		case $verb in
		wait | wait-new)
			from=1
			[ "$verb" = wait ] || from=$((mark + 1))
			while ! tail -c "+$from" "$logf" 2>/dev/null | grep -qF -- "$arg"; do
				kill -0 "$qpid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] || break
				sleep 0.5
			done ;;
		type) printf '%b' "$arg" >&7 ;;
		keys)
			for k in $arg; do
				printf 'sendkey %s\n' "$k" >&8
				sleep 0.1
			done ;;
		monitor) printf '%s\n' "$arg" >&8 ;;
		plug)
			read -r d bus <<< "$arg"
			case $bus in
			usb) dev=usb-storage,bus=xhci.0 ;;
			ehci) dev=usb-storage,bus=ehci.0 ;;
			scsi) dev=scsi-hd,bus=scsi.0 ;;
			*) dev=virtio-blk-pci ;;
			esac
			printf 'drive_add 0 if=none,id=%s,file=%s,format=raw,snapshot=on\ndevice_add %s,drive=%s,id=%s\n' \
				"$d" "${DISK[$d]}" "$dev" "$d" "$d" >&8 ;;
		unplug) printf 'device_del %s\n' "$arg" >&8 ;;
		sleep) sleep "$arg" ;;
		esac
		mark=$(stat -c %s "$logf" 2>/dev/null || echo 0)
	done <<< "${F[$c.$b.steps]:-}"
}

# boot_once CASE BOOT LOG: one boot; QEMU's status
boot_once() {
	local c=$1 b=$2 logf=$3 limit=${F[$1.$2.timeout]} kernel=$VMLINUZ qpid catpid rc
	local opts extra
	[ "${F[$c.kernel]:-}" != tiny ] || kernel=${TINY_BZIMAGE:-/nonexistent}
	[ -z "${F[$c.kernel]:-}" ] || [ "${F[$c.kernel]}" = tiny ] || kernel=${F[$c.kernel]}
	opts=(-t "$limit" -k "$kernel" -i "${F[$c.initrd]:-}" -a "${F[$c.$b.append]:-}"
		-m "${F[$c.memory]:-512}" -f "${F[$c.firmware]:-bios}")
	[ -z "${F[$c.esp]:-}" ] || opts+=(-e "${F[$c.esp]}")
	read -ra extra <<< "$(disk_args "$c" | tr '\n' ' ') ${F[$c.$b.qemu]:-}"
	[ -z "${F[$c.shape]:-}" ] || export INITKIT_QEMU_SHAPE="${F[$c.shape]}"
	: > "$logf"
	if [ -z "${F[$c.$b.steps]:-}" ]; then
		qemu_vm "${opts[@]}" -s "file:$logf" -- "${extra[@]}" </dev/null
		return
	fi
	# the console on a FIFO (what "type" writes), the monitor on a pipe
	local fifo=$WORK/$c.$b.in mon=$WORK/$c.$b.mon
	rm -f "$fifo" "$mon.in" "$mon.out"
	mkfifo "$fifo" "$mon.in" "$mon.out"
	exec 7<>"$fifo" 8<>"$mon.in"
	cat "$mon.out" > "$WORK/$c.$b.monlog" &
	catpid=$!
	qemu_vm "${opts[@]}" -s chardev:con -M "" -- \
		-chardev "stdio,id=con,signal=off,logfile=$logf" \
		-chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=readline \
		"${extra[@]}" <&7 >/dev/null &
	qpid=$!
	run_steps "$c" "$b" "$logf" "$qpid" $((SECONDS + limit - 10))
	wait "$qpid"; rc=$?
	exec 7>&- 8>&-
	kill "$catpid" 2>/dev/null
	return $rc
}

# judge CASE BOOT LOG RC: prints why the boot failed, nothing if it passed
judge() {
	local c=$1 b=$2 logf=$3 rc=$4 line kw pat out
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "hard timeout"; return
	fi
	[ -s "$logf" ] || [ "$rc" = 0 ] || { echo "QEMU did not start (status $rc)"; return; }
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		kw=${line%% *} pat=${line#* }
		case $kw in
		expect) grep -qE -- "$pat" "$logf" || { echo "missing: $pat"; return; } ;;
		reject) ! grep -qE -- "$pat" "$logf" || { echo "unexpected: $pat"; return; } ;;
		check) out=$("$pat" "$logf") || { echo "${out:-$pat failed}"; return; } ;;
		esac
	done <<< "${F[$c.$b.checks]:-}"
}

run_case() {
	local c=$1 b d bus rw logf rc why
	if [ -n "${F[$c.fail]:-}" ]; then
		echo "not ok $c: ${F[$c.fail]}"; return
	fi
	while read -r d bus rw; do	# rw disks: this case's own copy
		[ "$rw" != rw ] || cp "${DISK[$d]}" "$WORK/$c.$d.img"
	done <<< "${F[$c.disk]:-}"
	for b in $(seq "${F[$c.boots]}"); do
		logf=$WORK/$c.log
		[ "$b" = 1 ] || logf=$WORK/$c.boot$b.log
		boot_once "$c" "$b" "$logf"; rc=$?
		why=$(judge "$c" "$b" "$logf" "$rc")
		if [ -n "$why" ]; then
			[ "${F[$c.boots]}" = 1 ] || why="boot $b: $why"
			echo "not ok $c: $why"
			tail -n 25 "$logf" | sed 's/^/    | /'
			return
		fi
	done
	echo "ok $c"
}

jobs=$(nproc)
for c in "${names[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	run_case "$c" > "$WORK/$c.result" 2>&1 &
done
wait
for c in "${names[@]}"; do cat "$WORK/$c.result"; done
[ -n "${INITKIT_WORK:-}" ] || rm -rf "$WORK"

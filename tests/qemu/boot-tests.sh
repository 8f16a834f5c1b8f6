#!/bin/bash
# tests/qemu/boot-tests.sh - boot Debian's kernel with our images under QEMU
# (TCG) and assert what the user would see.  Cases run in parallel, one per
# CPU.  Prints "ok NAME" / "not ok NAME"; a failing case shows its log tail.
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok qemu-kernel-available"; exit 0; }
WORK=${INITKIT_WORK:-$(mktemp -d /tmp/initkit-boot.XXXXXX)}
mkdir -p "$WORK"
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")
NOROOT_UUID=00000000-1111-2222-3333-444444444444

# --- shared inputs, built once ---
mkdisk_ext4 "$WORK/root.img"
noinit=$(mktemp -d); mkdir -p "$noinit/etc"
mke2fs -q -F -t ext4 -d "$noinit" -L noinit "$WORK/noinit.img" 16M >/dev/null; rm -rf "$noinit"
"${MK[@]}" -M virtio -M ext4 -o "$WORK/virtio.img"
"${MK[@]}" -M usb-storage -M ext4 -o "$WORK/usb.img"
"${MK[@]}" -M virtio -M ext4 -H busybox -o "$WORK/virtio-shell.img"

VIRTIO_ROOT=(-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on")

# expect NAME RC_WANTED PATTERN... : check a finished case's log.
# RC_WANTED "exit" means QEMU ended by itself (poweroff or reboot), not by
# the hard timeout.
expect() {
	local name=$1 rc=$2 pat; shift 2
	local logf=$WORK/$name.log why=""
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="hard timeout"
	fi
	for pat in "$@"; do
		[ -n "$why" ] && break
		grep -qE -- "$pat" "$logf" || why="missing: $pat"
	done
	if [ -z "$why" ]; then
		echo "ok $name"
	else
		echo "not ok $name: $why"
		tail -n 25 "$logf" | sed 's/^/    | /'
	fi
}

case_virtio_uuid() {
	boot virtio-uuid 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID" "${VIRTIO_ROOT[@]}"
	expect virtio-uuid $? "$TOKEN pid=1 root=ro" "proc=yes"
}

case_usb_label() {
	boot usb-label 120 "$WORK/usb.img" "root=LABEL=$ROOT_LABEL" \
		-device qemu-xhci,id=xhci \
		-drive "if=none,id=stick,file=$WORK/root.img,format=raw,snapshot=on" \
		-device usb-storage,bus=xhci.0,drive=stick
	expect usb-label $? "usb-storage .*USB Mass Storage device detected" \
		"root-wait: LABEL=$ROOT_LABEL is /dev/sd" "$TOKEN pid=1"
}

case_rw_init_args() {
	boot rw-init-args 120 "$WORK/virtio.img" \
		"root=/dev/vda rw init=/sbin/init -- hello world" "${VIRTIO_ROOT[@]}"
	expect rw-init-args $? "$TOKEN pid=1 root=rw argc=3 argv1=hello argv2=world"
}

case_missing_root() {
	boot missing-root 120 "$WORK/virtio.img" "root=UUID=$NOROOT_UUID rootdelay=3" \
		"${VIRTIO_ROOT[@]}"
	expect missing-root $? "root-wait: UUID=$NOROOT_UUID: device never appeared: timed out after 3 s" \
		"block devices seen: vda \(ext4 UUID=$ROOT_UUID LABEL=$ROOT_LABEL\)" \
		"no rescue shell in this image" "rebooting now \(panic=-1\)"
}

case_no_init() {
	boot no-init 120 "$WORK/virtio.img" "root=LABEL=noinit" \
		-drive "file=$WORK/noinit.img,if=virtio,format=raw,snapshot=on"
	expect no-init $? "mount: mounted /dev/vda but it has no init"
}

case_wrong_fstype() {
	boot wrong-fstype 120 "$WORK/virtio.img" "root=/dev/vda rootfstype=xfs" \
		"${VIRTIO_ROOT[@]}"
	expect wrong-fstype $? "/dev/vda appeared but would not mount; tried xfs \(No such device\)"
}

case_rescue_shell() {
	# No root: the shell comes up; a command typed there runs; poweroff.
	local fifo=$WORK/shell.in logf=$WORK/rescue-shell.log rc i
	rm -f "$fifo"; mkfifo "$fifo"; : > "$logf"
	exec 7<>"$fifo"
	timeout -k 5 120 qemu-system-x86_64 -m 512 -smp 1 -display none -monitor none \
		-nic none -no-reboot -kernel "$VMLINUZ" -initrd "$WORK/virtio-shell.img" \
		-append "console=ttyS0 panic=-1 root=UUID=$NOROOT_UUID rootdelay=2" \
		-chardev "stdio,id=con,signal=off,logfile=$logf" -serial chardev:con \
		"${VIRTIO_ROOT[@]}" <&7 >/dev/null &
	local qpid=$!
	for i in $(seq 1 100); do
		grep -q "(initramfs) #" "$logf" 2>/dev/null && break
		sleep 1
	done
	printf 'echo SHELL-$((6*7))\npoweroff -f\n' >&7
	wait $qpid; rc=$?
	exec 7>&-
	expect rescue-shell $rc "root-wait: .*device never appeared" \
		"starting a rescue shell" "SHELL-42"
}

cases=(virtio_uuid usb_label rw_init_args missing_root no_init wrong_fstype rescue_shell)
jobs=$(nproc)
for c in "${cases[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	"case_$c" > "$WORK/$c.result" 2>&1 &
done
wait
for c in "${cases[@]}"; do cat "$WORK/$c.result"; done
[ -n "${INITKIT_WORK:-}" ] || rm -rf "$WORK"

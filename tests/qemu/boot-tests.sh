#!/bin/bash
# tests/qemu/boot-tests.sh - boot Debian's kernel with our images under QEMU
# (TCG) and assert what the user would see: every bus, every root form,
# every failure we promise a clear message for.  Cases run in parallel, one
# per CPU.  Prints "ok NAME" / "not ok NAME"; a failing case shows the tail
# of its serial log.
#   CASES="a b"  run only these cases (names as printed, '-' or '_')
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tinykernel.sh"
ensure_kernel || { echo "not ok qemu-kernel-available"; exit 0; }
# a small kernel with the ramdisk driver built in, for the kernel's own
# image-initrd flow (built from linux-source-6.1 once, ~9 min, cached)
ensure_tiny_kernel >/dev/null 2>&1 || echo "not ok tiny-kernel-available"
WORK=${INITKIT_WORK:-$(mktemp -d /tmp/initkit-boot.XXXXXX)}
mkdir -p "$WORK"
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")

NOROOT_UUID=00000000-1111-2222-3333-444444444444
DECOY_UUID=0badc0de-0000-4000-8000-00000000d3c0
XFS_UUID=5a7e5a7e-1111-4222-8333-444455556666
BTRFS_UUID=b7f5b7f5-1111-4222-8333-444455556666
GPT_DISK=8d1f4a2e-0000-4000-8000-000000000001
GPT_PARTUUID=5e6f7a8b-1111-4222-8333-944455556666
GPT_PARTLABEL=initkit-root-part
MBR_ID=0x1e2d3c4b

# --- disks: built without mounting, cached between runs ----------------
key=$(cat "$TOP/tests/qemu/guest-init" "$TOP/tests/lib.sh" | sha256sum | cut -c1-16)
DISKS=$CACHE/disks/$key
if [ ! -f "$DISKS/.complete" ]; then
	rm -rf "$CACHE/disks" && mkdir -p "$DISKS"
	mkdisk_ext4 "$DISKS/root.img"
	mkdisk_ext4 "$DISKS/decoy.img" "$DECOY_UUID" decoy
	noinit=$(mktemp -d); mkdir -p "$noinit/etc"
	mke2fs -q -F -t ext4 -d "$noinit" -L noinit "$DISKS/noinit.img" 16M >/dev/null
	rm -rf "$noinit"
	# a superblock that still says ext4 with our UUID, but a block size no
	# kernel accepts (s_log_block_size at 1024 + 0x18)
	cp "$DISKS/root.img" "$DISKS/corrupt.img"
	printf '\x40' | dd of="$DISKS/corrupt.img" bs=1 seek=$((1024 + 0x18)) conv=notrunc status=none
	mkdisk_xfs "$DISKS/xfs.img" "$XFS_UUID" xfsroot
	mkdisk_btrfs "$DISKS/btrfs.img" "$BTRFS_UUID" btrfsroot
	mkdisk_gpt "$DISKS/gpt.img" "$GPT_DISK" "$GPT_PARTUUID" "$GPT_PARTLABEL"
	mkdisk_mbr "$DISKS/mbr.img" "$MBR_ID"
	# a root with /initrd: the legacy flow leaves the image mounted there
	tree=$(mktemp -d); mkroot "$tree"; mkdir "$tree/initrd"
	mke2fs -q -F -t ext4 -d "$tree" -L withinitrd "$DISKS/withinitrd.img" 32M >/dev/null
	rm -rf "$tree"
	mkdisk_vfat "$DISKS/vfat.img" 1234ABCD FATROOT
	mkdisk_squashfs "$DISKS/squashfs.img"
	mkdisk_iso "$DISKS/iso.img" ISOROOT
	touch "$DISKS/.complete"
fi

# --- images --------------------------------------------------------------
"${MK[@]}" -M virtio -M ext4 -o "$WORK/virtio.img"
"${MK[@]}" -M usb-storage -M ext4 -o "$WORK/usb.img"
"${MK[@]}" -M virtio -M ext4 -H busybox -o "$WORK/virtio-shell.img"
"${MK[@]}" -M virtio -M usb-storage -M ext4 -o "$WORK/virtio-usb.img"
"${MK[@]}" -M virtio -M scsi -M sata -M nvme -M usb-storage -M filesystems -o "$WORK/multi.img"
for c in zstd xz lz4 none; do
	"${MK[@]}" -M virtio -M ext4 -c "$c" -o "$WORK/virtio-$c.img"
done
"${MK[@]}" --generic -o "$WORK/generic.img"
# every module of the kernel (a set listing kernel/*): 4,000 modules, a
# 1.5 MB database.  Uncompressed: under TCG the kernel unpacks its 400 MB
# in 7 s, and takes 20 s with zstd.  Built only when its case runs.
if [ -z "${CASES:-}" ] || [[ " ${CASES//-/_} " == *" all_modules "* ]]; then
	echo 'kernel/*' > "$WORK/all-set"
	"${MK[@]}" -M "$WORK/all-set" -c none -o "$WORK/all-modules.img" 2>"$WORK/all-modules.gen" ||
		{ echo "not ok all-modules-image: $(grep -v 'wants firmware' "$WORK/all-modules.gen" | tail -1)"; }
fi
# this machine's root: on the machines we test on it is virtio + ext4 (if
# not, the test VM's drivers are added so that the case still boots)
"${MK[@]}" --hostonly -v -o "$WORK/virtio-hostonly.img" 2> "$WORK/hostonly.why"
grep -q "module virtio_blk" "$WORK/hostonly.why" && grep -q "module ext4" "$WORK/hostonly.why" ||
	"${MK[@]}" --hostonly -M virtio -M ext4 -o "$WORK/virtio-hostonly.img"
# an already-compressed file (firmware-like) travels in an uncompressed leading member
printf 'firmware' | xz -C crc32 > "$WORK/fw.bin.xz"
echo "file $WORK/fw.bin.xz /lib/firmware/test/fw.bin.xz" > "$WORK/fwhook"
"${MK[@]}" -M virtio -M ext4 -H "$WORK/fwhook" -o "$WORK/virtio-lead.img"
# early microcode first (blobs the loader will find and reject as not for this CPU)
mkdir -p "$WORK/base/lib/modules" "$WORK/base/lib/firmware/intel-ucode" "$WORK/base/lib/firmware/amd-ucode"
ln -sfn "$KROOT/lib/modules/$KVER" "$WORK/base/lib/modules/$KVER"
head -c 2048 /dev/zero > "$WORK/base/lib/firmware/intel-ucode/06-00-00"
head -c 2048 /dev/zero > "$WORK/base/lib/firmware/amd-ucode/microcode_amd.bin"
"$TOP/mkinitramfs" -k "$KVER" -b "$WORK/base" -M virtio -M ext4 --microcode -o "$WORK/virtio-microcode.img"

# runtime hooks: one that reports what it sees, one that fails
cat > "$WORK/hook-ok.sh" <<'EOT'
#!/bin/sh
echo "HOOK-RAN stage=$INITKIT_STAGE root=$ROOT type=$ROOTFSTYPE mnt=$rootmnt init=$(ls $rootmnt/sbin/init)"
EOT
printf '#!/bin/sh\nexit 3\n' > "$WORK/hook-fail.sh"
cat > "$WORK/hooks" <<EOT
runtime $WORK/hook-ok.sh local-bottom
runtime $WORK/hook-fail.sh init-top
EOT
"${MK[@]}" -M virtio -M ext4 -H busybox -H "$WORK/hooks" -o "$WORK/virtio-hooks.img"
"${MK[@]}" -M virtio -M ext4 -H fsck -o "$WORK/virtio-fsck.img"
# a truncated image: the kernel unpacks part of it
head -c $(( $(stat -c %s "$WORK/virtio.img") * 7 / 10 )) "$WORK/virtio.img" > "$WORK/truncated.img"

# a module that cannot load: garbage in place of dummy.ko
head -c 4096 /dev/urandom > "$WORK/garbage.ko"
dummy=$(modinfo -b "$KROOT" -k "$KVER" -F filename dummy)
echo "file $WORK/garbage.ko /lib/modules/$KVER/${dummy#*/lib/modules/$KVER/}" > "$WORK/badmod"
"${MK[@]}" -M virtio -M ext4 -m dummy -H "$WORK/badmod" -o "$WORK/virtio-badmod.img"

# the /linuxrc role: a shell /init runs ours as a child (not PID 1)
cat > "$WORK/linuxrc-test.sh" <<'EOT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sysfs /sys
/sbin/initkit-linuxrc
rc=$?
echo "LINUXRC-EXIT=$rc REAL-ROOT-DEV=$(cat /proc/sys/kernel/real-root-dev) VDA=$(cat /sys/class/block/vda/dev)"
poweroff -f
EOT
chmod +x "$WORK/linuxrc-test.sh"
# hooks cannot replace /init (the generator's own); -i chooses it
printf 'file %s /sbin/initkit-linuxrc\n' "$TOP/init/init" > "$WORK/linuxrc-hook"
"${MK[@]}" -M virtio -M ext4 -H busybox -H "$WORK/linuxrc-hook" -i "$WORK/linuxrc-test.sh" \
	-o "$WORK/virtio-linuxrc.img"

# the legacy image-initrd flow, done in userspace (--format image --cpio-front)
"${MK[@]}" -M virtio -M ext4 --format image --cpio-front -o "$WORK/uflow.img"
cat > "$WORK/user-linuxrc.sh" <<'EOT'
#!/bin/sh
# a user's own /linuxrc: loads the disk driver and names the root itself
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
m=/lib/modules/$(uname -r)/kernel/drivers
for k in virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev \
	virtio/virtio_pci_legacy_dev virtio/virtio_pci block/virtio_blk; do
	insmod "$m/$k.ko" || exit 4
done
i=0
while [ ! -e /sys/class/block/vda/dev ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
IFS=: read maj min < /sys/class/block/vda/dev
echo $((maj * 256 + min)) > /proc/sys/kernel/real-root-dev
echo "USER-LINUXRC named $maj:$min"
EOT
printf '#!/bin/sh\necho "USER-LINUXRC giving up"\nexit 3\n' > "$WORK/fail-linuxrc.sh"
chmod +x "$WORK/user-linuxrc.sh" "$WORK/fail-linuxrc.sh"
printf 'hook busybox\nfile %s /linuxrc\n' "$WORK/user-linuxrc.sh" > "$WORK/userrc-hook"
printf 'hook busybox\nfile %s /linuxrc\n' "$WORK/fail-linuxrc.sh" > "$WORK/failrc-hook"
printf 'file %s /sbin/init\n' "$TOP/tests/qemu/guest-init" > "$WORK/ram0-hook"
"${MK[@]}" -M virtio -H "$WORK/userrc-hook" --format image --cpio-front -o "$WORK/uflow-script.img"
"${MK[@]}" -M virtio -H "$WORK/failrc-hook" --format image --cpio-front -o "$WORK/uflow-fail.img"
"${MK[@]}" -H "$WORK/ram0-hook" --format image --cpio-front -o "$WORK/uflow-ram0.img"

# the kernel's own flow (tiny kernel: everything built in, so no modules)
"${MK[@]}" --format image -o "$WORK/kflow.img"
"${MK[@]}" -H "$WORK/ram0-hook" --format image -o "$WORK/kflow-ram0.img"

vdisk() {	# vdisk NAME [virtio|none]: -drive arguments for a cached disk
	echo "-drive file=$DISKS/$1.img,if=${2:-virtio},format=raw,snapshot=on${3:+,id=$3}"
}

# expect NAME RC PATTERN...: judge a finished case by its log.
expect() {
	local name=$1 rc=$2 pat; shift 2
	local logf=$WORK/$name.log why=""
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		why="hard timeout"
	fi
	for pat in "$@"; do
		[ -n "$why" ] && break
		case $pat in
		!*) ! grep -qE -- "${pat#!}" "$logf" || why="unexpected: ${pat#!}" ;;
		*) grep -qE -- "$pat" "$logf" || why="missing: $pat" ;;
		esac
	done
	if [ -z "$why" ]; then
		echo "ok $name"
	else
		echo "not ok $name: $why"
		tail -n 25 "$logf" | sed 's/^/    | /'
	fi
}
OK="$TOKEN pid=1"

# interactive NAME TIMEOUT IMAGE APPEND INPUT [QEMU ARGS]: boot with the
# console on a FIFO; type INPUT once the shell prompt shows.
interactive() {
	local name=$1 limit=$2 initrd=$3 append=$4 input=$5; shift 5
	local fifo=$WORK/$name.in logf=$WORK/$name.log qpid i
	rm -f "$fifo"; mkfifo "$fifo"; : > "$logf"
	exec 7<>"$fifo"
	timeout -k 5 "$limit" qemu-system-x86_64 -m 512 -smp 1 -display none \
		-monitor none -nic none -no-reboot -kernel "$VMLINUZ" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 $append" \
		-chardev "stdio,id=con,signal=off,logfile=$logf" -serial chardev:con \
		"$@" <&7 >/dev/null &
	qpid=$!
	for i in $(seq 1 $((limit - 10))); do
		grep -q "(initramfs) #" "$logf" 2>/dev/null && break
		kill -0 $qpid 2>/dev/null || break
		sleep 1
	done
	printf '%b' "$input" >&7
	wait $qpid
	local rc=$?
	exec 7>&-
	return $rc
}

# --- the cases -------------------------------------------------------------

case_virtio_uuid() {	# virtio-blk, UUID=, ext4, read-only by default, timeline
	boot virtio-uuid 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect virtio-uuid $? "$OK root=ro" "proc=yes" \
		"INITKIT-TIMELINE [0-9]+ root-wait " "INITKIT-TIMELINE [0-9]+ switch " \
		"INITKIT-TIMELINE # ms: total .*init's own CPU time" \
		"!suppressed due to ratelimiting" "!could not free all of the initramfs"
}

case_usb_label() {	# USB stick behind xHCI, LABEL=
	boot usb-label 120 "$WORK/usb.img" "root=LABEL=$ROOT_LABEL" \
		-device qemu-xhci,id=xhci -drive "if=none,id=stick,file=$DISKS/root.img,format=raw,snapshot=on" \
		-device usb-storage,bus=xhci.0,drive=stick
	expect usb-label $? "usb-storage .*USB Mass Storage device detected" \
		"root-wait: LABEL=$ROOT_LABEL is /dev/sd" "$OK"
}

case_ehci_stick() {	# USB 2 stick behind EHCI, UUID=
	boot ehci-stick 120 "$WORK/usb.img" "root=UUID=$ROOT_UUID" \
		-device usb-ehci,id=ehci -drive "if=none,id=stick,file=$DISKS/root.img,format=raw,snapshot=on" \
		-device usb-storage,bus=ehci.0,drive=stick
	expect ehci-stick $? "ehci-pci" "root-wait: UUID=$ROOT_UUID is /dev/sd" "$OK"
}

case_late_usb() {	# the stick is plugged in seconds after boot; a decoy disk is there from the start
	local mon=$WORK/late-usb.mon logf=$WORK/late-usb.log qpid i rc
	rm -f "$mon.in" "$mon.out"; mkfifo "$mon.in" "$mon.out"; : > "$logf"
	cat "$mon.out" > "$WORK/late-usb.monlog" &
	exec 8<>"$mon.in"
	timeout -k 5 150 qemu-system-x86_64 -m 512 -smp 1 -display none -nic none \
		-serial "file:$logf" -no-reboot -kernel "$VMLINUZ" -initrd "$WORK/virtio-usb.img" \
		-append "console=ttyS0 panic=-1 root=UUID=$ROOT_UUID rootwait" \
		-chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=readline \
		-device qemu-xhci,id=xhci $(vdisk decoy) </dev/null &
	qpid=$!
	for i in $(seq 1 100); do
		grep -q "root-wait: waiting for UUID=$ROOT_UUID" "$logf" 2>/dev/null && break
		kill -0 $qpid 2>/dev/null || break
		sleep 1
	done
	printf 'drive_add 0 if=none,id=stick,file=%s,format=raw,snapshot=on\ndevice_add usb-storage,bus=xhci.0,drive=stick\n' \
		"$DISKS/root.img" >&8
	wait $qpid; rc=$?
	exec 8>&-
	expect late-usb $rc "root-wait: waiting for UUID=$ROOT_UUID .*rootwait: no time limit.*vda \(ext4 UUID=$DECOY_UUID LABEL=decoy\)" \
		"usb-storage .*USB Mass Storage device detected" \
		"root-wait: UUID=$ROOT_UUID is /dev/sd" "$OK"
}

case_disk_vanishes() {	# a disk comes and goes during the wait; then the root arrives
	local mon=$WORK/vanish.mon logf=$WORK/disk-vanishes.log qpid i rc
	rm -f "$mon.in" "$mon.out"; mkfifo "$mon.in" "$mon.out"; : > "$logf"
	cat "$mon.out" > "$WORK/vanish.monlog" &
	exec 9<>"$mon.in"
	timeout -k 5 150 qemu-system-x86_64 -m 512 -smp 1 -display none -nic none \
		-serial "file:$logf" -no-reboot -kernel "$VMLINUZ" -initrd "$WORK/virtio-usb.img" \
		-append "console=ttyS0 panic=-1 root=UUID=$ROOT_UUID rootwait" \
		-chardev "pipe,id=mon,path=$mon" -mon chardev=mon,mode=readline \
		-device qemu-xhci,id=xhci </dev/null &
	qpid=$!
	wait_log() {
		for i in $(seq 1 90); do
			[ "$(grep -c -- "$1" "$logf" 2>/dev/null)" -ge "${2:-1}" ] && return 0
			kill -0 $qpid 2>/dev/null || return 1
			sleep 1
		done
		return 1
	}
	wait_log "root-wait: waiting for UUID=$ROOT_UUID"
	printf 'drive_add 0 if=none,id=d1,file=%s,format=raw,snapshot=on\ndevice_add usb-storage,bus=xhci.0,drive=d1,id=s1\n' \
		"$DISKS/decoy.img" >&9
	wait_log "\[sda\] Attached SCSI"
	sleep 2
	printf 'device_del s1\n' >&9
	wait_log "Synchronizing SCSI cache"
	printf 'drive_add 0 if=none,id=d2,file=%s,format=raw,snapshot=on\ndevice_add usb-storage,bus=xhci.0,drive=d2,id=s2\n' \
		"$DISKS/root.img" >&9
	wait $qpid; rc=$?
	exec 9>&-
	expect disk-vanishes $rc "\[sda\] Attached SCSI" "Synchronizing SCSI cache" \
		"root-wait: UUID=$ROOT_UUID is /dev/sd" "$OK"
}

case_rw_init_args() {	# rw, init= with arguments after --
	boot rw-init-args 120 "$WORK/virtio.img" \
		"root=/dev/vda rw init=/sbin/init -- hello world" $(vdisk root)
	expect rw-init-args $? "$OK root=rw argc=3 argv1=hello argv2=world"
}

case_gpt_partuuid() {	# GPT on virtio-blk, PARTUUID= (upper case on purpose)
	boot gpt-partuuid 120 "$WORK/virtio.img" "root=PARTUUID=${GPT_PARTUUID^^}" $(vdisk gpt)
	expect gpt-partuuid $? "root-wait: PARTUUID=.* is /dev/vda2" "$OK"
}

case_gpt_partlabel() {	# GPT on virtio-scsi, PARTLABEL=
	boot gpt-partlabel 120 "$WORK/multi.img" "root=PARTLABEL=$GPT_PARTLABEL" \
		-device virtio-scsi-pci,id=scsi $(vdisk gpt none d0) -device scsi-hd,drive=d0,bus=scsi.0
	expect gpt-partlabel $? "root-wait: PARTLABEL=$GPT_PARTLABEL is /dev/sda2" "$OK"
}

case_mbr_partuuid() {	# MBR on AHCI (SATA), PARTUUID=SSSSSSSS-PP
	boot mbr-partuuid 120 "$WORK/multi.img" "root=PARTUUID=${MBR_ID#0x}-01" \
		-device ahci,id=ahci $(vdisk mbr none d0) -device ide-hd,drive=d0,bus=ahci.0
	expect mbr-partuuid $? "root-wait: PARTUUID=${MBR_ID#0x}-01 is /dev/sda1" "$OK"
}

case_sata_xfs() {	# XFS root on AHCI, UUID=
	boot sata-xfs 150 "$WORK/multi.img" "root=UUID=$XFS_UUID" \
		-device ahci,id=ahci $(vdisk xfs none d0) -device ide-hd,drive=d0,bus=ahci.0
	expect sata-xfs $? "root-wait: UUID=$XFS_UUID is /dev/sda \(xfs\)" "mount: /dev/sda on /root as xfs" "$OK"
}

case_nvme_btrfs() {	# Btrfs root on NVMe, LABEL=, rootflags=
	boot nvme-btrfs 150 "$WORK/multi.img" "root=LABEL=btrfsroot rootflags=subvol=/" \
		$(vdisk btrfs none d0) -device nvme,serial=initkit0,drive=d0
	expect nvme-btrfs $? "root-wait: LABEL=btrfsroot is /dev/nvme0n1 \(btrfs\)" \
		"mount: /dev/nvme0n1 on /root as btrfs" "$OK"
}

case_scsi_devname() {	# virtio-scsi, root=/dev/sda
	boot scsi-devname 120 "$WORK/multi.img" "root=/dev/sda" \
		-device virtio-scsi-pci,id=scsi $(vdisk root none d0) -device scsi-hd,drive=d0,bus=scsi.0
	expect scsi-devname $? "root-wait: /dev/sda is /dev/sda \(ext4\)" "$OK"
}

case_rootfstype_list() {	# rootfstype= tried in order
	boot rootfstype-list 120 "$WORK/multi.img" "root=UUID=$ROOT_UUID rootfstype=btrfs,ext4" $(vdisk root)
	expect rootfstype-list $? "mount: /dev/vda on /root as ext4" "$OK"
}

case_generic() {	# every module set in one image: still boots quickly
	boot generic 150 "$WORK/generic.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect generic $? "$OK"
}

case_all_modules() {	# every module of the kernel in the image: /init takes its database
	boot all-modules 300 "$WORK/all-modules.img" "root=UUID=$ROOT_UUID debug" $(vdisk root) -m 1536
	expect all-modules $? "initkit: modules: [0-9]+ loaded at boot, [0-9]+ devices queued" \
		"initkit: modules: loaded virtio_blk" "initkit: mount: /dev/vda on /root as ext4" "$OK" \
		"!modules.db is damaged" "!not enough memory"
}

case_missing_root() {	# no rescue shell: message, device list, reboot per panic=
	boot missing-root 120 "$WORK/virtio.img" "root=UUID=$NOROOT_UUID rootdelay=3" $(vdisk root)
	expect missing-root $? "root-wait: UUID=$NOROOT_UUID: device never appeared: timed out after 3 s" \
		"block devices seen: vda \(ext4 UUID=$ROOT_UUID LABEL=$ROOT_LABEL\)" \
		"no rescue shell in this image" "rebooting now \(panic=-1\)"
}

case_missing_driver() {	# the disk is there but its driver is not in the image
	boot missing-driver 120 "$WORK/usb.img" "root=UUID=$ROOT_UUID rootdelay=2" $(vdisk root)
	expect missing-driver $? "device never appeared" \
		"Devices with no driver in this image: .*pci:v00001AF4d00001001"
}

case_no_init() {
	boot no-init 120 "$WORK/virtio.img" "root=LABEL=noinit" $(vdisk noinit)
	expect no-init $? "mount: mounted /dev/vda but it has no init"
}

case_wrong_fstype() {
	boot wrong-fstype 120 "$WORK/virtio.img" "root=/dev/vda rootfstype=xfs" $(vdisk root)
	expect wrong-fstype $? "/dev/vda appeared but would not mount; tried xfs \(No such device\)"
}

case_corrupt_sb() {	# the probe finds it, the kernel refuses it
	boot corrupt-sb 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID" $(vdisk corrupt)
	expect corrupt-sb $? "root-wait: UUID=$ROOT_UUID is /dev/vda" \
		"/dev/vda appeared but would not mount; tried ext4 \(Invalid argument\)"
}

case_module_fails() {	# a module that cannot load is named; the boot goes on
	boot module-fails 120 "$WORK/virtio-badmod.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect module-fails $? "modules: dummy \(/lib/modules/.*/dummy.ko\) failed to load: Exec format error; continuing" "$OK"
}

case_bad_cmdline() {	# an over-long value and an unterminated quote: warnings, not a failed boot
	local long
	long=$(printf 'x%.0s' $(seq 300))
	boot bad-cmdline 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID rootflags=$long rd.break=\"top" $(vdisk root)
	expect bad-cmdline $? "value of rootflags= is too long \(max 255 bytes\) and was ignored" \
		"unterminated double quote" "$OK"
}

case_blacklist() {	# modprobe.blacklist= keeps the disk driver out
	boot blacklist 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID rootdelay=2 modprobe.blacklist=virtio_blk" $(vdisk root)
	expect blacklist $? "virtio_blk is blacklisted on the command line" "device never appeared"
}

case_rootfallback() {
	boot rootfallback 120 "$WORK/virtio.img" \
		"root=UUID=$NOROOT_UUID rootdelay=2 rootfallback=LABEL=nothing rootfallback=LABEL=$ROOT_LABEL" $(vdisk root)
	expect rootfallback $? "UUID=$NOROOT_UUID never appeared; using rootfallback=LABEL=$ROOT_LABEL \(/dev/vda\)" "$OK"
}

case_truncated() {	# the kernel unpacks part of the image: /init says so
	boot truncated 120 "$WORK/truncated.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect truncated $? "Initramfs unpacking failed" \
		"cmdline: this initramfs is incomplete: the kernel unpacked only part of it" \
		"rebooting now \(panic=-1\)"
}

case_fsck() {	# the fsck hook: e2fsck -p on the root before it is mounted
	boot fsck 120 "$WORK/virtio-fsck.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect fsck $? "$ROOT_LABEL: clean, [0-9]+/[0-9]+ files" "$OK"
}

case_hooks() {	# runtime hooks run at their stage; a failing one is named
	boot hooks 120 "$WORK/virtio-hooks.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect hooks $? "init-top hook /scripts/init-top/hook-fail.sh failed \(exit status 3\)" \
		"HOOK-RAN stage=local-bottom root=/dev/vda type=ext4 mnt=/root init=/root/sbin/init" "$OK"
}

case_rescue_shell() {	# no root: the shell comes up, a command runs, poweroff
	interactive rescue-shell 120 "$WORK/virtio-shell.img" "root=UUID=$NOROOT_UUID rootdelay=2" \
		'echo SHELL-$((6*7))\npoweroff -f\n' $(vdisk root)
	expect rescue-shell $? "root-wait: .*device never appeared" "starting a rescue shell" "SHELL-42"
}

case_break_premount() {	# break= stops in a shell; leaving it continues the boot
	interactive break-premount 120 "$WORK/virtio-shell.img" "root=UUID=$ROOT_UUID break=premount" \
		'echo BREAK-$((6*7))\nexit\n' $(vdisk root)
	expect break-premount $? "premount: starting a rescue shell" "BREAK-42" "$OK"
}

case_break_all() {	# every break= point in one boot; leaving each shell goes on
	interactive break-all 150 "$WORK/virtio-shell.img" \
		"root=UUID=$ROOT_UUID break=top,modules,premount,mount,bottom,init" \
		'exit\nexit\nexit\nexit\nexit\nexit\n' $(vdisk root)
	expect break-all $? "top: starting a rescue shell" "modules: starting a rescue shell" \
		"premount: starting a rescue shell" "mount: starting a rescue shell" \
		"bottom: starting a rescue shell" "init: starting a rescue shell" "$OK"
}

case_rd_break_dracut() {	# dracut's names: rd.break=pre-mount stops before mounting
	interactive rd-break-dracut 120 "$WORK/virtio-shell.img" "root=UUID=$ROOT_UUID rd.break=pre-mount" \
		'echo MNT-$(grep -c " /root " /proc/mounts)\nexit\n' $(vdisk root)
	expect rd-break-dracut $? "mount: starting a rescue shell" "MNT-0" "$OK"
}

case_uevent_overflow() {	# a socket buffer too small for the burst: lost events, rescan, boot
	# The kernel sets the default buffer from its command line before
	# /init runs; 4 KiB holds two events, and loading virtio_blk makes a
	# dozen, the disk's own among them.
	boot uevent-overflow 120 "$WORK/virtio.img" \
		"root=UUID=$ROOT_UUID debug sysctl.net.core.rmem_default=4096" $(vdisk root)
	expect uevent-overflow $? "root-wait: uevents were lost; looking at every device again" \
		"root-wait: UUID=$ROOT_UUID is /dev/vda" "$OK"
}

case_debug() {	# debug: each module and each stage's time in the kernel log
	boot debug 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID debug" $(vdisk root)
	# QEMU's default CPU (qemu64) has no SSE4.2: crc32c-intel is not tried
	expect debug $? "initkit: timeline: root-wait at [0-9]+ ms" "initkit: modules: loaded virtio_blk" \
		"initkit: modules: crc32c_intel: not for this CPU; skipped" \
		"initkit: modules: loaded crc32c_generic" \
		"initkit: timeline: ms: total" "$OK" "!suppressed due to ratelimiting"
}

# A driver for a CPU feature loads where the kernel lists the feature (its
# CPU modalias), and is skipped where it does not, whatever CPUID says.
case_cpu_feature() {	# a CPU with SSE4.2: crc32c-intel loads
	boot cpu-feature 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID debug" $(vdisk root) \
		-cpu max
	expect cpu-feature $? "initkit: modules: loaded crc32c_intel" "$OK" \
		"!crc32c_intel: not for this CPU"
}

case_cpu_no_sse42() {	# the same CPU without SSE4.2: crc32c-intel is not tried
	boot cpu-no-sse42 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID debug" $(vdisk root) \
		-cpu max,-sse4.2
	expect cpu-no-sse42 $? "initkit: modules: crc32c_intel: not for this CPU; skipped" \
		"initkit: modules: loaded crc32c_generic" "$OK" "!loaded crc32c_intel"
}

case_cpu_cleared() {	# CPUID has SSE4.2, the kernel turned it off (clearcpuid=148)
	boot cpu-cleared 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID debug clearcpuid=148" \
		$(vdisk root) -cpu max
	expect cpu-cleared $? "initkit: modules: crc32c_intel: not for this CPU; skipped" \
		"initkit: modules: loaded crc32c_generic" "$OK" "!loaded crc32c_intel"
}

case_quiet() {	# quiet: the kernel shows only warnings and worse
	boot quiet 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID quiet" $(vdisk root)
	expect quiet $? "$OK" "!initkit: mount:"
}

case_linuxrc() {	# as /linuxrc: find the root, write its number, exit 0
	local rc want
	boot linuxrc 120 "$WORK/virtio-linuxrc.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	rc=$?
	want=$(sed -n 's/.*VDA=\([0-9]*\):\([0-9]*\).*/\1 \2/p' "$WORK/linuxrc.log" |
		awk '{ printf "%d", ($2 % 256) + $1 * 256 + int($2 / 256) * 1048576 }')
	expect linuxrc $rc "linuxrc: real root is /dev/vda" "LINUXRC-EXIT=0 REAL-ROOT-DEV=${want:-missing} "
}

case_image_userspace() {	# our /linuxrc in the image names the root; the image is released
	boot image-userspace 120 "$WORK/uflow.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect image-userspace $? "image: /initrd.image is mounted on /initrd from /dev/loop0" \
		"linuxrc: real root is /dev/vda" "image: /linuxrc named [0-9]+:0 as the root" \
		"image: released the initrd image" "$OK root=ro .*initrd=absent"
}

case_image_keep() {	# the root has /initrd: the image stays mounted there
	boot image-keep 120 "$WORK/uflow.img" "root=LABEL=withinitrd" $(vdisk withinitrd)
	expect image-keep $? "image: the initrd image stays mounted on /initrd" "$OK .*initrd=mounted"
}

case_image_script() {	# a user's shell /linuxrc loads a module and writes the root itself
	boot image-script 120 "$WORK/uflow-script.img" "root=UUID=$NOROOT_UUID" $(vdisk root)
	expect image-script $? "USER-LINUXRC named [0-9]+:0" "image: /linuxrc named [0-9]+:0 as the root" "$OK"
}

case_image_linuxrc_fails() {	# a user's /linuxrc that fails: named, then the rescue policy
	boot image-linuxrc-fails 120 "$WORK/uflow-fail.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect image-linuxrc-fails $? "USER-LINUXRC giving up" \
		"image: /linuxrc of the initrd image failed with exit status 3" "rebooting now \(panic=-1\)"
}

case_image_ram0() {	# root=/dev/ram0: the image itself is the root
	boot image-ram0 120 "$WORK/uflow-ram0.img" "root=/dev/ram0" $(vdisk root)
	expect image-ram0 $? "$OK root=rw"
}

case_kernel_linuxrc() {	# the kernel runs our /linuxrc, then mounts the root it named
	BOOT_KERNEL=$TINY_BZIMAGE boot kernel-linuxrc 120 "$WORK/kflow.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect kernel-linuxrc $? "RAMDISK: gzip image found" "linuxrc: real root is /dev/vda" \
		"VFS: Mounted root \(ext4 filesystem\) readonly on device 254:0" "$OK .*initrd=absent"
}

case_kernel_linuxrc_initrd() {	# ... and moves the old initrd to the root's /initrd
	BOOT_KERNEL=$TINY_BZIMAGE boot kernel-linuxrc-initrd 120 "$WORK/kflow.img" "root=LABEL=withinitrd" $(vdisk withinitrd)
	expect kernel-linuxrc-initrd $? "linuxrc: real root is /dev/vda" "Trying to move old root to /initrd" \
		"$OK .*initrd=mounted"
}

case_kernel_ram0() {	# root=/dev/ram0: the image is the root
	BOOT_KERNEL=$TINY_BZIMAGE boot kernel-ram0 120 "$WORK/kflow-ram0.img" "root=/dev/ram0" $(vdisk root)
	expect kernel-ram0 $? "RAMDISK: gzip image found" "$OK"
}

case_vfat_root() {	# FAT32 root, UUID= as blkid prints it
	boot vfat-root 120 "$WORK/multi.img" "root=UUID=1234-ABCD" $(vdisk vfat)
	expect vfat-root $? "root-wait: UUID=1234-ABCD is /dev/vda \(vfat\)" "$OK"
}

case_squashfs_root() {	# a read-only squashfs root found by name, type from the probe
	boot squashfs-root 120 "$WORK/multi.img" "root=/dev/vda" $(vdisk squashfs)
	expect squashfs-root $? "root-wait: /dev/vda is /dev/vda \(squashfs\)" "mount: /dev/vda on /root as squashfs" "$OK root=ro"
}

case_iso_root() {	# an ISO 9660 root on a SCSI CD-ROM, LABEL=
	boot iso-root 120 "$WORK/multi.img" "root=LABEL=ISOROOT" \
		-device virtio-scsi-pci,id=scsi -drive "file=$DISKS/iso.img,if=none,id=cd0,format=raw,media=cdrom,readonly=on" \
		-device scsi-cd,drive=cd0,bus=scsi.0
	expect iso-root $? "root-wait: LABEL=ISOROOT is /dev/sr0 \(iso9660\)" "$OK"
}

case_rd_shell_0() {	# rd.shell=0: no shell even though the image has one
	boot rd-shell-0 120 "$WORK/virtio-shell.img" "root=UUID=$NOROOT_UUID rootdelay=2 rd.shell=0" $(vdisk root)
	expect rd-shell-0 $? "device never appeared" "rd.shell=0: no rescue shell" "rebooting now" "!starting a rescue shell"
}

case_panic_delay() {	# panic=2: reboot after 2 s
	boot panic-delay 120 "$WORK/virtio.img" "root=UUID=$NOROOT_UUID rootdelay=1 panic=2" $(vdisk root)
	expect panic-delay $? "device never appeared: timed out after 1 s" "rebooting in 2 s \(panic=2\)"
}

case_driver_pre() {	# rd.driver.pre= loads first; a module parameter from the command line
	boot driver-pre 120 "$WORK/virtio.img" "root=UUID=$ROOT_UUID debug rd.driver.pre=crc16,nosuchmod" $(vdisk root)
	expect driver-pre $? "modules: loaded crc16 \(rd.driver.pre\)" \
		"rd.driver.pre=nosuchmod: no such module in this image" "$OK"
}

compress_case() {
	boot "compress-$1" 120 "$WORK/virtio-$1.img" "root=UUID=$ROOT_UUID" $(vdisk root)
	expect "compress-$1" $? "$OK" "!Initramfs unpacking failed"
}
case_compress_zstd() { compress_case zstd; }
case_compress_xz() { compress_case xz; }
case_compress_lz4() { compress_case lz4; }
case_compress_none() { compress_case none; }
case_compress_lead() { compress_case lead; }
case_compress_microcode() { compress_case microcode; }
case_compress_hostonly() { compress_case hostonly; }

# slowest first, so the two CPUs finish together
cases=(all_modules late_usb disk_vanishes break_all generic sata_xfs nvme_btrfs usb_label ehci_stick rescue_shell break_premount
	rd_break_dracut debug cpu_feature cpu_no_sse42 cpu_cleared uevent_overflow quiet linuxrc fsck truncated image_userspace image_keep image_script
	image_linuxrc_fails image_ram0 kernel_linuxrc kernel_linuxrc_initrd kernel_ram0
	vfat_root squashfs_root iso_root rd_shell_0 panic_delay driver_pre
	missing_root missing_driver blacklist rootfallback virtio_uuid rw_init_args gpt_partuuid
	gpt_partlabel mbr_partuuid scsi_devname rootfstype_list no_init wrong_fstype corrupt_sb
	module_fails bad_cmdline hooks compress_zstd compress_xz compress_lz4 compress_none compress_lead compress_microcode compress_hostonly)
if [ -n "${CASES:-}" ]; then
	cases=()
	for c in $CASES; do cases+=("${c//-/_}"); done
fi
jobs=$(nproc)
for c in "${cases[@]}"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	"case_$c" > "$WORK/$c.result" 2>&1 &
done
wait
for c in "${cases[@]}"; do cat "$WORK/$c.result"; done
[ -n "${INITKIT_WORK:-}" ] || rm -rf "$WORK"

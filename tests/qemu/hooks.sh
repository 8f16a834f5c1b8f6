# tests/qemu/hooks.sh - shell for the QEMU cases whose needs are not data
# (tests/qemu/cases names these functions).  Sourced by boot-tests.sh.
#   prep_*   run once a run, before the images: files in $WORK that an
#            image recipe names.  mkimage ARG... builds (once a run) the
#            image for those mkinitramfs arguments; its path is then in
#            MKIMAGE_PATH.
#   check_*  check_X LOG: print why and return non-zero if the boot failed.
# The stacked disks' recipe (mkdisk NAME stack_disk STACK N) is stack.sh's.

. "$(dirname "${BASH_SOURCE[0]}")/stack.sh"

# lvm_tool_hook OUT: a build hook activating LVM with the distribution's
# lvm tool through an action script (tests/qemu/lvm-tool/), not initkit's
# helper: the README's example, and make bench's other side
lvm_tool_hook() {
	local d=$TOP/tests/qemu/lvm-tool
	printf '%s\n' 'hook busybox' 'binary /sbin/lvm' "file $d/lvm.conf /etc/lvm/lvm.conf" \
		"file $d/action /lib/lvm-action" 'action LVM2_member /lib/lvm-action' > "$1"
}
prep_lvm_tool() { lvm_tool_hook "$WORK/lvm-tool.hook"; }

# luks_tool_hook OUT [KEYFILE]: a build hook unlocking LUKS with the
# distribution's cryptsetup through an action script (tests/qemu/luks-tool/)
# and KEYFILE (default the one of tests/qemu/luks/), not initkit's helper:
# make bench's other side of the native-or-tool choice (tests/bench-luks.sh).
# The image needs dm_crypt and the cipher's modules too (-m), which the
# kernel asks /init for as /sbin/modprobe.
luks_tool_hook() {
	printf '%s\n' 'hook busybox' 'binary /sbin/cryptsetup' 'link /init /lib/initkit/modprobe' \
		"file $TOP/tests/qemu/luks-tool/action /lib/luks-action" \
		"file ${2:-$TOP/tests/qemu/luks/key} /etc/keys/root.key" \
		'action crypto_LUKS /lib/luks-action' > "$1"
}
prep_luks_tool() { luks_tool_hook "$WORK/luks-tool.hook"; }

# the image's crypttab and key file for the luks2 stack (tests/qemu/luks/)
prep_luks_keyfile() {
	local d=$TOP/tests/qemu/luks
	printf '%s\n' "file $d/key /etc/keys/root.key" "file $d/crypttab /etc/crypttab" \
		> "$WORK/luks-keyfile.hook"
}

# Debian's ovmf enrolls its snakeoil key in OVMF_VARS_4M.snakeoil.fd (PK,
# KEK and db); its private key is encrypted with the passphrase "snakeoil",
# which sbsign would ask for: decrypted, a UKI signed with it boots under
# Secure Boot (qemu_vm -f secboot)
prep_snakeoil_key() {
	openssl pkey -in /usr/share/ovmf/PkKek-1-snakeoil.key -passin pass:snakeoil \
		-out "$WORK/snakeoil.key"
}

prep_all_set() {	# a module set listing every module of the kernel
	echo 'kernel/*' > "$WORK/all-set"
}

prep_linuxrc() {	# the /linuxrc role: a shell /init runs ours as a child (not PID 1)
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
}

check_real_root_dev() {	# /linuxrc exited 0 and wrote vda's number (old encoding)
	local want
	want=$(sed -n 's/.*VDA=\([0-9]*\):\([0-9]*\).*/\1 \2/p' "$1" |
		awk '{ printf "%d", ($2 % 256) + $1 * 256 + int($2 / 256) * 1048576 }')
	grep -qE -- "LINUXRC-EXIT=0 REAL-ROOT-DEV=${want:-missing} " "$1" ||
		{ echo "missing: LINUXRC-EXIT=0 REAL-ROOT-DEV=${want:-missing} "; return 1; }
}

prep_truncated() {	# the kernel unpacks part of the image
	local img size
	mkimage -M virtio -M ext4 || return 1
	img=$MKIMAGE_PATH size=$(stat -c %s "$img") || return 1
	head -c $((size * 7 / 10)) "$img" > "$WORK/truncated.img"
}

prep_lazy_damaged() {	# --lazy-modules, one byte of ext4.ko.gz flipped: $WORK/lazy-damaged.img
	local img
	mkimage -M virtio -M ext4 --lazy-modules || return 1
	img=$MKIMAGE_PATH
	python3 - "$img" "$WORK/lazy-damaged.img" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
i = 0
while d[i:i + 6] == b"070701":
    ns, fs = int(d[i + 94:i + 102], 16), int(d[i + 54:i + 62], 16)
    name = d[i + 110:i + 110 + ns - 1].decode()
    data = (i + 110 + ns + 3) & ~3
    if name.endswith("/ext4.ko.gz"):
        d[data + fs // 2] ^= 0x10
        open(sys.argv[2], "wb").write(d)
        sys.exit(0)
    i = (data + fs + 3) & ~3
sys.exit("no ext4.ko.gz in the leading member")
PY
}

prep_user_linuxrc() {	# a user's own /linuxrc for --format image, one that fails, a ram0 root
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
}

prep_badmod() {	# a module that cannot load: garbage in place of dummy.ko
	local dummy
	head -c 4096 /dev/urandom > "$WORK/garbage.ko"
	dummy=$(modinfo -b "$KROOT" -k "$KVER" -F filename dummy)
	echo "file $WORK/garbage.ko /lib/modules/$KVER/${dummy#*/lib/modules/$KVER/}" > "$WORK/badmod"
}

prep_xzmod() {	# the test kernel's tree with dummy.ko as dummy.ko.xz: $WORK/xzbase
	local b=$WORK/xzbase m dummy rel
	m=$b/lib/modules/$KVER
	dummy=$(modinfo -b "$KROOT" -k "$KVER" -F filename dummy) || return 1
	rel=${dummy#*/lib/modules/$KVER/}
	rm -rf "$b" && mkdir -p "$b/lib/modules" &&
		cp -as "$KROOT/lib/modules/$KVER" "$b/lib/modules/" || return 1
	# symbolic links to the cached tree: depmod writes new indexes
	find "$m" -maxdepth 1 -name 'modules.*' ! -name modules.order \
		! -name modules.builtin ! -name modules.builtin.modinfo -delete
	rm "$m/$rel" && xz -C crc32 -c "$dummy" > "$m/$rel.xz" && depmod -b "$b" "$KVER"
}

prep_runtime_hooks() {	# one hook that reports what it sees, one that fails
	cat > "$WORK/hook-ok.sh" <<'EOT'
#!/bin/sh
echo "HOOK-RAN stage=$INITKIT_STAGE root=$ROOT type=$ROOTFSTYPE mnt=$rootmnt init=$(ls $rootmnt/sbin/init)"
EOT
	printf '#!/bin/sh\nexit 3\n' > "$WORK/hook-fail.sh"
	cat > "$WORK/hooks" <<EOT
runtime $WORK/hook-ok.sh local-bottom
runtime $WORK/hook-fail.sh init-top
EOT
}

prep_fwhook() {	# an already-compressed file (firmware-like): an uncompressed leading member
	printf 'firmware' | xz -C crc32 > "$WORK/fw.bin.xz"
	echo "file $WORK/fw.bin.xz /lib/firmware/test/fw.bin.xz" > "$WORK/fwhook"
}

prep_microcode_base() {	# blobs the loader will find and reject as not for this CPU
	mkdir -p "$WORK/base/lib/modules" "$WORK/base/lib/firmware/intel-ucode" "$WORK/base/lib/firmware/amd-ucode"
	ln -sfn "$KROOT/lib/modules/$KVER" "$WORK/base/lib/modules/$KVER"
	head -c 2048 /dev/zero > "$WORK/base/lib/firmware/intel-ucode/06-00-00"
	head -c 2048 /dev/zero > "$WORK/base/lib/firmware/amd-ucode/microcode_amd.bin"
}

prep_hostonly() {	# this machine's root: virtio + ext4 where we test (else the VM's drivers are added)
	"${MK[@]}" --hostonly -v -o "$WORK/virtio-hostonly.img" 2> "$WORK/hostonly.why"
	grep -q "module virtio_blk" "$WORK/hostonly.why" && grep -q "module ext4" "$WORK/hostonly.why" ||
		"${MK[@]}" --hostonly -M virtio -M ext4 -o "$WORK/virtio-hostonly.img"
}

# The resume cases (tests/qemu/cases): boot 1 hibernates, logged in
# NAME.log; a later boot N resumes it, logged in NAME.bootN.log.

check_resume_first() {	# /init's resume line comes before it mounts anything
	awk '/initkit: resume: / { seen = 1; exit }
	     /initkit: mount: / { print "mounted before the resume line: " $0; bad = 1; exit }
	     END { if (!seen && !bad) print "no resume line"; exit !seen }' "$1"
}

check_same_nonce() {	# this boot resumed the session boot 1 hibernated
	local first=${1%.boot*.log}.log was now
	was=$(sed -n 's/.*INITKIT-HIBERNATING nonce=\([0-9a-f]*\).*/\1/p' "$first" | head -1)
	now=$(sed -n 's/.*INITKIT-RESUMED nonce=\([0-9a-f]*\).*/\1/p' "$1" | head -1)
	[ -n "$was" ] || { echo "boot 1 (${first##*/}) did not hibernate"; return 1; }
	[ "$was" = "$now" ] ||
		{ echo "resumed nonce ${now:-none}, boot 1 hibernated with $was"; return 1; }
}

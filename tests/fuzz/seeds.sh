#!/bin/bash
# tests/fuzz/seeds.sh OUTDIR - build the seed corpora of the fuzz targets into
# OUTDIR/TARGET/, from real tools, at run time (nothing binary is kept in
# git):
#   probe      the first 68 KiB of ext2/3/4, xfs, btrfs, vfat (12/16/32),
#              squashfs and iso9660 file systems made by their mkfs
#   parttable  small GPT (512 and 4096-byte blocks) and MBR disks made by
#              sfdisk and fdisk, behind fuzz_parttable.c's 4-byte prefix
#   cmdline    real kernel command lines
#   uevent     kernel uevent messages as the kernel writes them
#   moddb      modules.db from images of the test kernel (-M virtio -M ext4,
#              and --generic)
#   imgread    images from ./mkinitramfs with each -c, and cpio archives
#              (newc, crc, several segments, padding) made by GNU cpio
#   extract    the small imgread seeds, and hostile archives from
#              tests/gen/newc.py: escapes by .., absolute names and symlinks,
#              hard links to what a later entry put in place, nodes
#   config     mkinitramfs.conf files
#   hook       the build hooks of hooks/, hand-made ones, BusyBox's applet list
#   modset     the module sets of modules.d/
#   elf        small programs and libraries of this host, scripts
#   sysfs      this host's mountinfo (pure mode) and fake systems (detect
#              mode), behind fuzz_sysfs.c's mode byte
#   lvm        the LVM2 fixtures of tests/unit/fixtures/lvm/ (made by the
#              real lvm: see make.sh there) behind fuzz_lvm.c's mode byte:
#              the metadata texts, the PV heads as they are and with their
#              checksums fixed by the target
#   luks       LUKS1 and LUKS2 headers cryptsetup writes on a file (argon2id,
#              pbkdf2, two keyslots, 4 KiB sectors), when cryptsetup is
#              there
#   inflate    small files gzipped by gzip -1/-9, by zlib with every
#              strategy (python3), stored blocks, empty files
#   md         the MD superblocks of tests/unit/fixtures/md (checked by
#              mdadm), alone and as whole arrays, behind fuzz_md.c's header
# Missing tools are installed with apt-get when running as root; a seed
# that still cannot be made is skipped with a warning.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: tests/fuzz/seeds.sh OUTDIR}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
TMP=$(mktemp -d /tmp/initkit-seeds.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

UUID=3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b
PUUID=0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3
PROBE_BYTES=$((68 * 1024))

warn() { printf 'seeds: %s\n' "$*" >&2; }

# need TOOL PACKAGE: the tool, installed once if we can.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		warn "installing $2 for $1"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; }
	fi
	command -v "$1" >/dev/null 2>&1 || { warn "no $1 ($2): skipping its seeds"; return 1; }
}

mkdir -p "$OUT"/{probe,parttable,cmdline,uevent,moddb,imgread,extract,config,hook,modset,elf,sysfs,lvm,md,luks,inflate}

# a small tree to put in file systems and archives
tree=$TMP/tree
mkdir -p "$tree/sbin" "$tree/etc" "$tree/dev"
printf 'ID=initkit-fuzz\n' > "$tree/etc/os-release"
printf '#!/bin/sh\necho hello\n' > "$tree/sbin/init"
chmod 755 "$tree/sbin/init"
ln -s ../etc/os-release "$tree/sbin/link"
ln "$tree/etc/os-release" "$tree/etc/hardlink"

# ---- probe: superblocks ----------------------------------------------------
# fs NAME SIZE COMMAND...: make a SIZE file, run COMMAND on it, keep the head
fs() {
	local name=$1 size=$2 img=$TMP/$1.img
	shift 2
	rm -f "$img"; truncate -s "$size" "$img"
	if "$@" "$img" >"$TMP/mkfs.log" 2>&1; then
		head -c "$PROBE_BYTES" "$img" > "$OUT/probe/$name"
	else
		warn "$name: $* failed: $(tail -1 "$TMP/mkfs.log")"
	fi
	rm -f "$img"
}
if need mke2fs e2fsprogs; then
	fs ext2 4M mke2fs -q -F -t ext2 -L fuzz-ext2 -U "$UUID"
	fs ext3 8M mke2fs -q -F -t ext3 -L fuzz-ext3 -U "$UUID"
	fs ext4 8M mke2fs -q -F -t ext4 -L fuzz-ext4 -U "$UUID"
	fs ext4-1k 8M mke2fs -q -F -t ext4 -b 1024 -L "" -U "$UUID"
	# a short read: the superblock cut in the middle
	[ -f "$OUT/probe/ext4" ] && head -c 1200 "$OUT/probe/ext4" > "$OUT/probe/ext4-short"
fi
if need mkfs.xfs xfsprogs; then
	fs xfs 320M mkfs.xfs -q -f -m uuid="$UUID" -L fuzz-xfs
fi
if need mkfs.btrfs btrfs-progs; then
	fs btrfs 128M mkfs.btrfs -q -f -U "$UUID" -L fuzz-btrfs-label
	[ -f "$OUT/probe/btrfs" ] && head -c $((64 * 1024 + 100)) "$OUT/probe/btrfs" \
		> "$OUT/probe/btrfs-short"
fi
if need mkfs.vfat dosfstools; then
	fs vfat12 2M mkfs.vfat -F 12 -n FUZZ12 -i 12345678
	fs vfat16 20M mkfs.vfat -F 16 -n FUZZ16 -i 1234abcd
	fs vfat32 40M mkfs.vfat -F 32 -n "FUZZ 32" -i deadbeef
	fs vfat-nolabel 2M mkfs.vfat -F 12 -i 00000001
fi
if need mksquashfs squashfs-tools; then
	mksquashfs "$tree" "$TMP/sq.img" -noappend -quiet -no-progress >/dev/null 2>&1 &&
		head -c "$PROBE_BYTES" "$TMP/sq.img" > "$OUT/probe/squashfs" ||
		warn "mksquashfs failed"
fi
if need xorriso xorriso; then
	xorriso -as mkisofs -quiet -V FUZZ_ISO -o "$TMP/iso.img" "$tree" >/dev/null 2>&1 &&
		head -c "$PROBE_BYTES" "$TMP/iso.img" > "$OUT/probe/iso9660" ||
		warn "xorriso failed"
	xorriso -as mkisofs -quiet -J -R -V "Fuzz Joliet" -o "$TMP/iso2.img" "$tree" \
		>/dev/null 2>&1 &&
		head -c "$PROBE_BYTES" "$TMP/iso2.img" > "$OUT/probe/iso9660-joliet"
fi
head -c 4096 /dev/zero > "$OUT/probe/zeros"

# ---- parttable: whole small disks behind the 4-byte prefix -----------------
# prefix FLAGS PARTNO: fuzz_parttable.c's header (FLAGS: bit 0 4096-byte
# blocks, bit 3 fix the GPT CRCs)
prefix() {
	local n=$(($2 - 1))
	printf "\\x$(printf %02x "$1")\\x$(printf %02x $((n & 255)))\\x$(printf %02x $((n >> 8)))\\x00"
}
# disk NAME FLAGS IMG PARTNO...: one seed per partition number
disk() {
	local name=$1 flags=$2 img=$3 n
	shift 3
	for n in "$@"; do
		{ prefix "$flags" "$n"; cat "$img"; } > "$OUT/parttable/$name-p$n"
	done
}
if need sfdisk fdisk; then
	g=$TMP/gpt.img
	rm -f "$g"; truncate -s 40K "$g"
	sfdisk -q "$g" >/dev/null 2>&1 <<EOT && disk gpt-short 8 "$g" 1 2 3
label: gpt
label-id: 11111111-2222-4333-8444-555555555555
table-length: 4
first-lba: 34
start=34, size=8, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=$PUUID, name="esp"
start=42, size=8, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=$UUID, name="root ñ"
EOT
	rm -f "$g"; truncate -s 48K "$g"
	sfdisk -q "$g" >/dev/null 2>&1 <<EOT && disk gpt 8 "$g" 1 2 128
label: gpt
label-id: 11111111-2222-4333-8444-555555555555
start=34, size=4, uuid=$PUUID, name="a name of thirty-six characters long"
start=38, size=4, uuid=$UUID, name="root"
EOT
	# the primary header broken: the backup in the last block is read
	if [ -f "$OUT/parttable/gpt-p2" ]; then
		cp "$g" "$TMP/bad.img"
		printf 'XXX' | dd of="$TMP/bad.img" bs=1 seek=512 conv=notrunc status=none
		disk gpt-backup 8 "$TMP/bad.img" 2
		disk gpt-nofix 0 "$g" 2
	fi
	m=$TMP/mbr.img
	rm -f "$m"; truncate -s 32K "$m"
	sfdisk -q "$m" >/dev/null 2>&1 <<EOT && disk mbr 0 "$m" 1 2 3 5 6 7 8
label: dos
label-id: 0x12345678
start=1, size=8, type=83, bootable
start=9, size=40, type=5
start=11, size=8, type=83
start=21, size=8, type=82
start=31, size=8, type=83
EOT
	# 4096-byte blocks: fdisk -b (sfdisk cannot)
	g4=$TMP/gpt4k.img
	rm -f "$g4"; truncate -s 96K "$g4"
	printf 'g\nn\n1\n6\n9\nn\n2\n10\n17\nx\nn\n1\nesp\nn\n2\nroot fs\ni\n%s\nu\n2\n%s\nr\nw\n' \
		"$PUUID" "$UUID" | fdisk -b 4096 "$g4" >/dev/null 2>&1 &&
		disk gpt4k 9 "$g4" 1 2
	m4=$TMP/mbr4k.img
	rm -f "$m4"; truncate -s 64K "$m4"
	printf 'o\nn\np\n1\n1\n4\nn\ne\n2\n5\n15\nn\nl\n7\n9\nw\n' |
		fdisk -b 4096 "$m4" >/dev/null 2>&1 && disk mbr4k 1 "$m4" 1 5
fi

# ---- cmdline ----------------------------------------------------------------
c=0
while IFS= read -r line; do
	c=$((c + 1))
	printf '%s' "$line" > "$OUT/cmdline/line$c"
done <<'EOT'
BOOT_IMAGE=/boot/vmlinuz-6.1.0-13-amd64 root=UUID=3f1d2c4b-5a69-4e7f-8a1b-2c3d4e5f6a7b ro quiet
BOOT_IMAGE=(hd0,gpt2)/vmlinuz root=/dev/mapper/vg-root ro rootflags=subvol=@ splash
console=ttyS0 panic=-1 root=LABEL=initkit-root rootfstype=ext4 rootwait rd.shell=0
console=ttyS0 panic=30 root=PARTUUID=0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3 rootdelay=5 rw
root=PARTLABEL="my root" rootfallback=/dev/vda1 rootfallback=LABEL=rescue init=/bin/sh
root=/dev/disk/by-uuid/3F1D2C4B-5A69-4E7F-8A1B-2C3D4E5F6A7B ro debug rd.break=premount,mount
root=08:01 modprobe.blacklist=floppy,pcspkr rd.driver.blacklist=nouveau rd.driver.pre=virtio_pci
root=801 virtio_blk.queue_depth=32 usbcore.autosuspend=-1 ext4.debug "quoted param=a b c"
root=/dev/disk/by-label/root\x20fs rd.shell rd.debug quiet -- single
root="LABEL=unterminated quote
root=/dev/nvme0n1p2 ro initrd=\initrd.img nomodeset i915.modeset=0 =value novalue= root=
EOT

# ---- uevent: as the kernel sends them (NUL-separated) ------------------------
ue() { printf "$2" > "$OUT/uevent/$1"; }
ue block-add 'add@/devices/pci0000:00/0000:00:04.0/virtio1/block/vda\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1/block/vda\0SUBSYSTEM=block\0MAJOR=254\0MINOR=0\0DEVNAME=vda\0DEVTYPE=disk\0DISKSEQ=1\0SEQNUM=1234\0'
ue part-add 'add@/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1\0SUBSYSTEM=block\0MAJOR=254\0MINOR=1\0DEVNAME=vda1\0DEVTYPE=partition\0DISKSEQ=1\0PARTN=1\0PARTNAME=root\0SEQNUM=1235\0'
ue pci-add 'add@/devices/pci0000:00/0000:00:04.0\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0\0SUBSYSTEM=pci\0DRIVER=virtio-pci\0PCI_CLASS=10000\0PCI_ID=1AF4:1001\0PCI_SUBSYS_ID=1AF4:0002\0PCI_SLOT_NAME=0000:00:04.0\0MODALIAS=pci:v00001AF4d00001001sv00001AF4sd00000002bc01sc00i00\0SEQNUM=812\0'
ue virtio-add 'add@/devices/pci0000:00/0000:00:04.0/virtio1\0ACTION=add\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1\0SUBSYSTEM=virtio\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=813\0'
ue bind 'bind@/devices/pci0000:00/0000:00:04.0/virtio1\0ACTION=bind\0DEVPATH=/devices/pci0000:00/0000:00:04.0/virtio1\0SUBSYSTEM=virtio\0DRIVER=virtio_blk\0MODALIAS=virtio:d00000002v00001AF4\0SEQNUM=900\0'
ue remove 'remove@/devices/virtual/block/loop0\0ACTION=remove\0DEVPATH=/devices/virtual/block/loop0\0SUBSYSTEM=block\0DEVNAME=loop0\0SEQNUM=77\0'
ue change-noterm 'change@/devices/virtual/block/dm-0\0ACTION=change\0DEVPATH=/devices/virtual/block/dm-0\0SUBSYSTEM=block\0DEVNAME=dm-0'
ue module-add 'add@/module/ext4\0ACTION=add\0DEVPATH=/module/ext4\0SUBSYSTEM=module\0SEQNUM=1300\0'
ue libudev 'libudev\0\xfe\xed\xca\xfe\x28\x00\x00\x00\x28\x00\x00\x00\x10\x00\x00\x00ACTION=add\0DEVPATH=/devices/x\0'

# ---- inflate: gzip files --------------------------------------------------
head -c 3000 "$TOP/lib/inflate.c" > "$TMP/text"
printf 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabababababab\0\0\0\0\0\0\0\1\2\3' > "$TMP/runs"
: > "$TMP/empty"
for f in text runs empty; do
	gzip -1 -c "$TMP/$f" > "$OUT/inflate/$f-1.gz"
	gzip -9 -n -c "$TMP/$f" > "$OUT/inflate/$f-9.gz"
done
python3 - "$TMP/text" "$OUT/inflate" <<'PY' || warn "inflate: zlib seeds failed"
import sys, zlib
data = open(sys.argv[1], "rb").read()
for name, level, strat in (("stored", 0, 0), ("fixed", 6, zlib.Z_FIXED),
                           ("huffman", 6, zlib.Z_HUFFMAN_ONLY), ("rle", 6, zlib.Z_RLE)):
    c = zlib.compressobj(level, zlib.DEFLATED, 31, 8, strat)
    open(f"{sys.argv[2]}/{name}.gz", "wb").write(c.compress(data) + c.flush())
PY

# ---- moddb and imgread: images of the test kernel ---------------------------
printf '# initkit module database: see lib/moddb.h\nm\tcrc16\t/lib/modules/k/kernel/lib/crc16.ko\t-\t-\t0\nm\tjbd2\t/lib/modules/k/kernel/fs/jbd2/jbd2.ko\t0\t-\t0\nm\text4\t/lib/modules/k/kernel/fs/ext4/ext4.ko\t0,1\t2\t1\na\tfs-ext4\t2\na\tpci:v00001AF4d*sv*sd*bc*sc*i*\t1\na\tvirtio:d00000002v*\t0\na\t[a-z]*:x?\\*\t2\n' \
	> "$OUT/moddb/handmade"
MK=$TOP/mkinitramfs
if [ -x "$MK" ] && . "$TOP/tests/lib.sh" && ensure_kernel; then
	if "$MK" -k "$KVER" -b "$KROOT" -M virtio -M ext4 -o "$TMP/full.img" >/dev/null 2>&1 &&
	   mkdir "$TMP/x" && "$MK" --extract "$TMP/full.img" "$TMP/x" >/dev/null 2>&1; then
		cp "$TMP/x/etc/initkit/modules.db" "$OUT/moddb/virtio-ext4"
	else
		warn "mkinitramfs -M virtio -M ext4 failed: no modules.db seed"
	fi
	# every module set: ~1500 lines
	if "$MK" -k "$KVER" -b "$KROOT" --generic -c none -o "$TMP/gen.img" >/dev/null 2>&1 &&
	   mkdir "$TMP/g" && "$MK" --extract "$TMP/gen.img" "$TMP/g" >/dev/null 2>&1; then
		cp "$TMP/g/etc/initkit/modules.db" "$OUT/moddb/generic"
	fi
	rm -rf "$TMP/x" "$TMP/g" "$TMP/full.img" "$TMP/gen.img"
	printf '#!/bin/sh\nexec /bin/sh\n' > "$TMP/tinyinit"
	chmod 755 "$TMP/tinyinit"
	for alg in gzip zstd xz lz4 none; do
		"$MK" -k "$KVER" -b "$KROOT" -i "$TMP/tinyinit" -m crc8 -c "$alg" \
			-o "$OUT/imgread/mk-$alg" >/dev/null 2>&1 ||
			warn "mkinitramfs -c $alg failed"
	done
	# with the real /init (~40 KiB), if it is built
	[ -x "$TOP/init/init" ] && "$MK" -k "$KVER" -b "$KROOT" -c gzip \
		-o "$OUT/imgread/mk-init-gzip" >/dev/null 2>&1
else
	warn "no ./mkinitramfs or test kernel: no generated images or modules.db"
fi

# hand-made archives: GNU cpio, and the compressors the kernel accepts
if need cpio cpio; then
	(cd "$tree" && find . | sort | cpio -o -H newc --quiet) > "$TMP/newc.cpio"
	(cd "$tree" && find . | sort | cpio -o -H crc --quiet) > "$OUT/imgread/crc"
	cp "$TMP/newc.cpio" "$OUT/imgread/newc"
	# an early-microcode style prefix, NUL padding, then compressed members
	(cd "$tree" && echo etc/os-release | cpio -o -H newc --quiet) > "$TMP/early.cpio"
	{ cat "$TMP/early.cpio"; head -c 512 /dev/zero; gzip -n -9 < "$TMP/newc.cpio"; } \
		> "$OUT/imgread/early-gzip"
	command -v zstd >/dev/null && zstd -q -c < "$TMP/newc.cpio" > "$OUT/imgread/zstd"
	command -v xz >/dev/null && xz --check=crc32 -c < "$TMP/newc.cpio" > "$OUT/imgread/xz"
	command -v lz4 >/dev/null && lz4 -l -q -c < "$TMP/newc.cpio" > "$OUT/imgread/lz4-legacy"
	{ gzip -n < "$TMP/early.cpio"; xz --check=crc32 -c < "$TMP/newc.cpio"; } \
		> "$OUT/imgread/gzip-xz" 2>/dev/null
fi

# ---- extract: what --extract must survive -----------------------------------
for f in newc crc early-gzip zstd xz lz4-legacy gzip-xz mk-none mk-gzip; do
	[ -f "$OUT/imgread/$f" ] && [ "$(stat -c %s "$OUT/imgread/$f")" -le 131072 ] &&
		cp "$OUT/imgread/$f" "$OUT/extract/$f"
done
# spec NAME: a newc archive from tests/gen/newc.py's spec on standard input
spec() { python3 "$TOP/tests/gen/newc.py" "$OUT/extract/$1" || warn "extract seed $1 failed"; }
printf 'f a nlink=2 ino=11 data=first\nc a 1:3\nf b nlink=2 ino=11 data=x\ntrailer\n' | spec swap-dev
printf 'f a nlink=2 ino=11 data=first\np a\nf b nlink=2 ino=11 data=x\n' | spec swap-fifo
printf 'f a nlink=2 ino=11\nl a ../../etc\nf b nlink=2 ino=11 data=x\n' | spec swap-link
printf 'd d mode=777\nf d/a nlink=3 ino=5\nf d/b nlink=3 ino=5\nf c nlink=3 ino=5 data=shared\n' | spec links
printf 'l up ..\nf up/x data=x\nf ../y data=y\nf /abs data=z\nd a\nl a/b /tmp\nf a/b/c data=c\n' | spec escapes
printf 'p fifo\nf fifo data=over\ns sock\nb blk 8:0\nd fifo\nf "\\x1b[2J" data=ctl\n' | spec nodes

# ---- config -------------------------------------------------------------------
cat > "$OUT/config/full" <<'EOT'
# /etc/mkinitramfs.conf
KVER=6.1.0-13-amd64
BASEDIR=/
DATADIR="/usr/local/lib/initkit"
INIT='/usr/local/lib/initkit/init'
OUTPUT='/boot/initrd.img'
COMPRESS=zstd
LEVEL=19
THREADS=4
MODULES="nvme ext4 dm-crypt"	# like -m nvme -m ext4 -m dm-crypt
SETS="virtio	ahci"
HOOKS=""
GENERIC=no
HOSTONLY=yes
VERBOSE=no
BACKUP=yes
MICROCODE=yes
EOT
printf 'COMPRESS=gzip\r\nLEVEL=9\r\n  # indented comment\r\n\r\nKVER=6.1#2\r\n' > "$OUT/config/crlf"
printf 'OUTPUT="/boot/a \\"quoted\\" \\\\ \\$ \\` \\x"\nINIT='"'"'$literal`'"'"' # c\nMODULES=' \
	> "$OUT/config/quotes"
printf 'COMPRES=gzip\n' > "$OUT/config/typo"
printf 'LEVEL = 3\n' > "$OUT/config/spaces"
printf 'KVER=$(uname -r)\n' > "$OUT/config/dollar"
printf 'HOSTONLY=yes\nHOSTONLY=no\n' > "$OUT/config/twice"

# ---- hook and modset: the shipped ones, and edge cases -----------------------
for f in "$TOP"/hooks/*; do
	[ -f "$f" ] && cp "$f" "$OUT/hook/shipped-$(basename "$f")"
done
printf '# all directives\noptional\nfile /etc/hostname\nfile /etc/host#name /etc/x\nbinary /bin/sh /bin/ls /bin/cat\nhook busybox\ndir /run/x\nlink ../lib /lib64\napplets /bin/busybox /bin/busybox\nruntime runtime/x.sh local-premount\n' \
	> "$OUT/hook/all"
printf 'dir /a\r\n  # indented\r\n\tdir\t/b\t\r\n' > "$OUT/hook/crlf"
printf 'file /etc/hostname ../../escape\ndir ../x\n' > "$OUT/hook/dotdot"
printf 'dir /x # trailing\n' > "$OUT/hook/trailing-hash"
{ printf 'binary'; for i in $(seq 1 820); do printf ' /bin/true'; done; echo; } > "$OUT/hook/long-line"
command -v busybox >/dev/null && busybox --list-full > "$OUT/hook/busybox-list" 2>/dev/null
for f in "$TOP"/modules.d/*; do
	[ -f "$f" ] && cp "$f" "$OUT/modset/shipped-$(basename "$f")"
done
printf '# a set\nvirtio_blk\n  ?virtio_scsi\nkernel/drivers/ata/*\npci:v00008086d*\nmod#x\n' > "$OUT/modset/mixed"

# ---- elf: small real programs and libraries, scripts --------------------------
for f in /bin/true /usr/bin/env /usr/lib/x86_64-linux-gnu/libacl.so.1 \
	 /usr/lib/x86_64-linux-gnu/libattr.so.1 "$TOP/init/init" "$TOP/tests/qemu/guest-init"; do
	[ -f "$f" ] && [ "$(stat -L -c %s "$f")" -le 262144 ] &&
		cp -L "$f" "$OUT/elf/$(basename "$f")"
done
printf '#!/sbin/sh -e\necho hi\n' > "$OUT/elf/script"
printf '#!/bin/prog\n' > "$OUT/elf/script-self"
printf '\001include /etc/ld.so.conf.d/*.conf\n/usr/local/lib\n' > "$OUT/elf/ldsoconf"

# ---- sysfs: mountinfo lines (mode 0), fake systems (mode 1) --------------------
{ printf '\000'; cat /proc/self/mountinfo; } > "$OUT/sysfs/host-mountinfo" 2>/dev/null
{ printf '\000'; printf 'devices/../x\n../../devices/pci0000:00/0000:00:04.0\nCRYPT-LUKS2-1234-root\nraid1\n'; } \
	> "$OUT/sysfs/pure-mixed"
sysfs() {	# sysfs NAME MOUNTINFO UUID LEVEL BACKING MODALIAS
	local name=$1
	shift
	{ printf '\001'; printf '%s\0%s\0%s\0%s\0%s' "$@"; } > "$OUT/sysfs/$name"
}
sysfs partition '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw' '' '' '' \
	'virtio:d00000002v00001AF4'
sysfs dm-crypt '22 1 253:0 / / rw - ext4 /dev/mapper/root rw' 'CRYPT-LUKS2-0123-root' '' '' ''
sysfs md '22 1 253:0 / / rw - xfs /dev/md0 rw' '' 'raid1' '' ''
sysfs loop '22 1 253:0 / / rw - ext4 /dev/loop0 rw
23 22 254:1 / /data rw - ext4 /dev/vda1 rw' '' '' '/data/disk.img' ''
sysfs btrfs '22 1 0:42 /@ / rw - btrfs /dev/mapper/root rw' 'LVM-abc-tpool' '' '' ''
sysfs tmpfs '22 1 0:20 / / rw - tmpfs tmpfs rw' '' '' '' ''

# ---- lvm: metadata texts (mode 1), PV heads (mode 0; 2: checksums fixed) -----
LVMFIX=$TOP/tests/unit/fixtures/lvm
for f in "$LVMFIX"/*.txt; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .txt)
	{ printf '\001'; cat "$f"; } > "$OUT/lvm/text-$n"
done
for f in "$LVMFIX"/*.gz; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .gz)
	{ printf '\000'; gzip -dc "$f" | head -c 65599; } > "$OUT/lvm/pv-$n"
	{ printf '\002'; gzip -dc "$f" | head -c 65599; } > "$OUT/lvm/pvfix-$n"
done
# ---- md: fuzz_md.c's header (flags, the device's size), then superblocks ----
FIX=$TOP/tests/unit/fixtures/md
le64() {	# le64 N: N as 8 little-endian bytes
	local i
	for i in 0 1 2 3 4 5 6 7; do
		printf "\\x$(printf %02x $((($1 >> (8 * i)) & 255)))"
	done
}
mdseed() {	# mdseed NAME FLAGS FIXTURE...: the fixtures on members of the first's size
	local name=$1 flags=$2 bytes f
	shift 2
	bytes=$(sed -n '1s/.* a \([0-9]*\)-byte member.*/\1/p' "$FIX/$1.examine")
	{
		printf "\\x$(printf %02x "$flags")"
		le64 "$bytes"
		for f in "$@"; do gzip -dc "$FIX/$f.sb.gz"; done
	} > "$OUT/md/$name"
}
for f in "$FIX"/*.sb.gz; do
	f=$(basename "$f" .sb.gz)
	mdseed "$f" 0 "$f"
done
mdseed raid1-12 0 r1-12-m0 r1-12-m1
mdseed raid1-090 0 r1-090-m0 r1-090-m1
mdseed raid5-spare 1 r5-12-m2 r5-12-spare r5-12-degraded-dirty
head -c 300 "$OUT/md/r1-12-m0" > "$OUT/md/r1-12-short"	# a short read
mdarray() {	# mdarray NAME FIXTURE MEMBER...: flag bit 1, members made from it
	local name=$1 b
	mdseed "$name" 2 "$2"
	shift 2
	for b in "$@"; do printf "\\x$(printf %02x "$b")"; done >> "$OUT/md/$name"
}
mdarray array-raid5 r5-12-m2 0 1 2 3
mdarray array-raid5-stale r5-12-m2 0 $((128 + 1))
mdarray array-raid6 r6-090 0 1 3
mdarray array-raid10 r10-12 0 3
mdarray array-raid1-spare r1-11 0 1 5

for d in "$OUT"/*/; do
	printf 'seeds: %-10s %3d files\n' "$(basename "$d")" "$(ls "$d" | wc -l)" >&2
done

# ---- luks: headers as cryptsetup writes them (no device-mapper needed) ----
luksseed() {	# luksseed NAME BYTES LUKSFORMAT-OPTIONS...
	local name=$1 bytes=$2
	shift 2
	rm -f "$OUT/luks.img" && truncate -s 20M "$OUT/luks.img" &&
		printf secret | cryptsetup luksFormat -q "$@" "$OUT/luks.img" - >/dev/null 2>&1 &&
		head -c "$bytes" "$OUT/luks.img" > "$OUT/luks/$name"
}
if command -v cryptsetup >/dev/null; then
	luksseed luks2-argon2id 16384 --type luks2 --pbkdf argon2id --pbkdf-force-iterations 4 \
		--pbkdf-memory 32768 --label root
	luksseed luks2-pbkdf2 16384 --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
		--sector-size 4096 --hash sha512
	printf secret > "$OUT/luks.old" && printf other > "$OUT/luks.new" &&
		cryptsetup luksAddKey -q --pbkdf pbkdf2 --pbkdf-force-iterations 1000 \
			--key-file "$OUT/luks.old" "$OUT/luks.img" "$OUT/luks.new" 2>/dev/null &&
		head -c 16384 "$OUT/luks.img" > "$OUT/luks/luks2-two-slots"
	luksseed luks1 592 --type luks1 --pbkdf-force-iterations 1000
	rm -f "$OUT/luks.img" "$OUT/luks.old" "$OUT/luks.new"
fi

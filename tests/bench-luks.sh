#!/bin/bash
# tests/bench-luks.sh - part of 'make bench': a root on LUKS -> LVM, Debian's
# guided encrypted layout (issue 17's figures), measured in one run on the
# test kernel and the same disk: the luks-lvm stack of tests/qemu/stack.sh
# (GPT, LUKS2 with one argon2id keyslot, 32 MiB and 4 passes, inside it VG
# vg0 with LV root, the marker root), unlocked with a key file inside each
# image (the recipe's passphrase as a file, named by a crypttab): no typing.
#   ours        mkinitramfs -M virtio -M ext4 -M luks -M lvm, the key file
#               and a crypttab in the image: initkit's own unlock
#   ours+tool   the same LVM helper, but LUKS opened by the distribution's
#               cryptsetup through an action script (luks_tool_hook): the
#               native-or-tool choice the README states (bytes, time)
#   initramfs-tools  with cryptsetup-initramfs and lvm2, built by its
#               mkinitramfs in a Debian 12 chroot (debian_tar: mmdebstrap,
#               cached, rebuilt when itroot_recipe changes) holding the test
#               kernel's modules, an /etc/crypttab naming the disk's volume
#               with the key file (KEYFILE_PATTERN: copied into the image)
#               and MODULES=list (our image's modules)
#   dracut      --no-hostonly with its crypt and lvm modules (the host's
#               dracut-core; its crypt module wants systemd-cryptsetup,
#               in Debian 12's systemd package, or cryptsetup-bin's
#               cryptsetup: systemd-cryptsetup unlocks here), the key file
#               included, rd.luks.uuid= and rd.luks.key=
# Every round boots each system once, in turn, so drift hits all alike, and
# one key-derivation guest (tests/qemu/luks-kdf-init) that times the unlock
# alone, ours against cryptsetup open --test-passphrase on the same keyslot
# (the order alternating).  Figures: image bytes, kernel start -> the root's
# init (the token's printk time): median and spread (min-max) over BOOTS
# rounds; beside each, the median key derivation of what unlocks there (ours:
# our helper; the others: cryptsetup), and the ratios to ours, as measured and
# with each one's key derivation subtracted (issue 17: initramfs-tools / ours
# >= 3 less key derivation).
#
#   BOOTS=N    rounds (default 5)
#   PEERS=0    ours only (no initramfs-tools, dracut)
#   KEEP=1     keep the work directory (images, boot logs)
#   INITKIT_QEMU_SHAPE  the guest's CPU (default here "-cpu max -smp 2")
# Needs root (the chroot; the peers read /lib/modules: installed as
# tests/bench-peers.sh says, left in place).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/qemu/hooks.sh"
ensure_kernel || exit 1

BOOTS=${BOOTS:-5} PEERS=${PEERS:-1}
export INITKIT_QEMU_SHAPE=${INITKIT_QEMU_SHAPE:--cpu max -smp 2}
die() { log "bench-luks: $*"; exit 1; }
case $BOOTS in '' | *[!0-9]* | 0) die "BOOTS is a number >= 1" ;; esac
[ "$(id -u)" = 0 ] || die "run as root (the chroot, /lib/modules)"
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/init/luks" ] && [ -f "$TOP/init/lvm" ] ||
	die "build first: make"
WORK=$(mktemp -d /tmp/initkit-bench-luks.XXXXXX)
ITROOT=$WORK/itroot
cleanup() {
	local m
	for m in dev sys proc; do ! mountpoint -q "$ITROOT/$m" || umount -l "$ITROOT/$m"; done
	if [ -n "${KEEP:-}" ]; then log "work directory kept: $WORK"; else rm -rf --one-file-system "$WORK"; fi
}
trap cleanup EXIT

# ---- the disk and its key --------------------------------------------------
# tests/qemu/stacks/luks-lvm: the volume's UUID and its passphrase
# ("printf initkit-test | cryptsetup luksFormat ... -": no newline), here as
# a key file; crypttab names the volume as Debian's installer does
LUKS_UUID=4c554b53-0003-4000-8000-000000000003
MAPNAME=vda1_crypt ROOTDEV=/dev/mapper/vg0-root
stack_disk "$WORK/disk.img" luks-lvm 0 || die "no luks-lvm disk"
printf initkit-test > "$WORK/root.key" && chmod 600 "$WORK/root.key"
printf '%s UUID=%s /etc/keys/root.key luks\n' "$MAPNAME" "$LUKS_UUID" > "$WORK/crypttab"

# ---- the systems -------------------------------------------------------------
declare -A LABEL APPEND SIZE LIMIT KDF_OF KT KDF
SYSTEMS="ours tool"
LABEL[ours]="ours (-M luks -M lvm: native unlock)"
LABEL[tool]="ours, LUKS by cryptsetup (action script)"
APPEND[ours]="root=$ROOTDEV" APPEND[tool]="root=$ROOTDEV"
KDF_OF[ours]=ours KDF_OF[tool]=cryptsetup
MK=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT")
printf '%s\n' "file $WORK/root.key /etc/keys/root.key" "file $WORK/crypttab /etc/crypttab" \
	> "$WORK/keyfile.hook"
"${MK[@]}" -M virtio -M ext4 -M luks -M lvm -H "$WORK/keyfile.hook" -o "$WORK/ours.img" ||
	die "mkinitramfs -M luks -M lvm failed"
luks_tool_hook "$WORK/luks-tool.hook" "$WORK/root.key"
"${MK[@]}" -M virtio -M ext4 -M lvm -m dm_crypt -m xts -m aesni_intel -H "$WORK/luks-tool.hook" \
	-o "$WORK/tool.img" || die "mkinitramfs with cryptsetup failed"

# initramfs-tools as a Debian 12 system with an encrypted LVM root has it:
# cryptsetup-initramfs and lvm2 (their hooks), busybox and zstd (initramfs-
# tools' Recommends, which an install has), udev and kmod
itroot_recipe() {
	echo bookworm initramfs-tools cryptsetup-initramfs lvm2 busybox zstd udev kmod
}

# it_image OUT: initramfs-tools' image, made in the chroot configured as the
# encrypted system: its crypttab names the disk's volume with the key file
# ("initramfs": wanted at that stage although the chroot's own root is not
# on it), cryptsetup-initramfs copies key files matching KEYFILE_PATTERN.
# The disk is not there when it builds: its hook warns that it cannot tell
# the cipher's modules and adds its basic set (aes, xts...) with aesni.
it_image() {
	local tar m
	tar=$(debian_tar itroot itroot_recipe) || return 1
	mkdir -p "$ITROOT" &&
		tar -C "$ITROOT" --numeric-owner --xattrs --xattrs-include='*' -xf "$tar" &&
		mkdir -p "$ITROOT/usr/lib/modules" "$ITROOT/boot" "$ITROOT/etc/keys" &&
		cp -a "$KROOT/lib/modules/$KVER" "$ITROOT/usr/lib/modules/" &&
		cp "$KROOT/boot/config-$KVER" "$ITROOT/boot/" &&
		depmod -b "$ITROOT" "$KVER" || return 1
	install -m 600 "$WORK/root.key" "$ITROOT/etc/keys/root.key"
	printf '%s UUID=%s /etc/keys/root.key luks,initramfs\n' "$MAPNAME" "$LUKS_UUID" \
		> "$ITROOT/etc/crypttab"
	printf '%s / ext4 errors=remount-ro 0 1\n' "$ROOTDEV" > "$ITROOT/etc/fstab"
	printf '%s\n' CRYPTSETUP=y 'KEYFILE_PATTERN="/etc/keys/*.key"' UMASK=0077 \
		>> "$ITROOT/etc/cryptsetup-initramfs/conf-hook"
	sed -i 's/^MODULES=.*/MODULES=list/' "$ITROOT/etc/initramfs-tools/initramfs.conf"
	cp "$WORK/mods" "$ITROOT/etc/initramfs-tools/modules"
	for m in proc sys dev; do
		mount --bind "/$m" "$ITROOT/$m" || return 1
	done
	chroot "$ITROOT" mkinitramfs -o /boot/initrd.img "$KVER" > "$WORK/it.log" 2>&1 ||
		{ tail "$WORK/it.log" >&2; return 1; }
	for m in dev sys proc; do umount "$ITROOT/$m"; done
	cp "$ITROOT/boot/initrd.img" "$1"
}

if [ "$PEERS" != 0 ]; then
	peers_setup dracut-core cryptsetup-bin lvm2 || die "cannot set up the peers"
	# our image's modules (modules.db's "m" lines): initramfs-tools'
	# MODULES=list; its hooks add dm_mod, dm_crypt and the ciphers
	mkdir -p "$WORK/x" && "$TOP/mkinitramfs" --extract "$WORK/ours.img" "$WORK/x" >/dev/null ||
		die "cannot extract our image"
	awk -F'\t' '$1 == "m" { print $2 }' "$WORK/x/etc/initkit/modules.db" > "$WORK/mods"
	log "building initramfs-tools' image in its chroot"
	it_image "$WORK/it.img" || die "initramfs-tools failed (log: $WORK/it.log; KEEP=1 keeps it)"
	grep -q 'cryptroot/keyfiles/' < <("$TOP/mkinitramfs" --list "$WORK/it.img") ||
		die "initramfs-tools' image has no key file: $(grep -i 'cryptsetup' "$WORK/it.log" | head -3)"
	/usr/bin/dracut -q --force --no-hostonly --no-hostonly-cmdline --add "crypt lvm" \
		--include "$WORK/root.key" /etc/keys/root.key --kver "$KVER" "$WORK/dracut.img" \
		>"$WORK/dracut.log" 2>&1 || { tail "$WORK/dracut.log" >&2; die "dracut failed"; }
	SYSTEMS="$SYSTEMS it dracut"
	LABEL[it]="initramfs-tools + cryptsetup-initramfs, lvm2"
	LABEL[dracut]="dracut --no-hostonly (crypt, lvm)"
	APPEND[it]="root=$ROOTDEV"
	APPEND[dracut]="root=$ROOTDEV rd.lvm.lv=vg0/root rd.luks.uuid=$LUKS_UUID rd.luks.key=/etc/keys/root.key"
	KDF_OF[it]=cryptsetup KDF_OF[dracut]=cryptsetup
	LIMIT[it]=240 LIMIT[dracut]=300
fi
for s in $SYSTEMS; do SIZE[$s]=$(stat -c %s "$WORK/$s.img"); : > "$WORK/$s.kt"; : > "$WORK/$s.it"; done

# ---- the key-derivation guest ------------------------------------------------
# tests/qemu/luks-kdf-init as /init, with the modules it loads, BusyBox, our
# helper and cryptsetup, the key file and the crypttab
KDF_MODS=(virtio_pci virtio_blk dm_mod dm_crypt xts ecb aesni_intel)
{
	echo '#!/bin/sh'
	printf 'KDF_MODULES="%s"\n' "$(mod_load_order "${KDF_MODS[@]}" | tr '\n' ' ')"
	tail -n +2 "$TOP/tests/qemu/luks-kdf-init"
} > "$WORK/kdf-init" && chmod +x "$WORK/kdf-init" || die "cannot write $WORK/kdf-init"
printf '%s\n' 'hook busybox' 'binary /sbin/cryptsetup' 'helper luks' \
	"file $WORK/root.key /etc/keys/root.key" "file $WORK/crypttab /etc/crypttab" > "$WORK/kdf.hook"
kdf_args=(-i "$WORK/kdf-init" -H "$WORK/kdf.hook")
for m in "${KDF_MODS[@]}"; do kdf_args+=(-m "$m"); done
"${MK[@]}" "${kdf_args[@]}" -o "$WORK/kdf.img" || die "the key-derivation guest's image failed"
: > "$WORK/kdf-ours.t"; : > "$WORK/kdf-cryptsetup.t"

# kdf_time LOG WHO: seconds between KDF-BEGIN WHO and KDF-END WHO 0
kdf_time() {
	awk -v who="$2" '
		function stamp(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line + 0 }
		/^\[ *[0-9.]+\] / && index($0, "KDF-BEGIN " who) { t0 = stamp($0) }
		/^\[ *[0-9.]+\] / && index($0, "KDF-END " who " 0") { t1 = stamp($0) }
		END { if (t0 && t1) printf "%.3f\n", t1 - t0; else exit 1 }' "$1"
}

kdf_boot() {	# ROUND
	local r=$1 order=ours who
	[ $((r % 2)) = 1 ] || order=cryptsetup
	boot "kdf-$r" 180 "$WORK/kdf.img" "kdf.order=$order" \
		-drive "file=$WORK/disk.img,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
	for who in ours cryptsetup; do
		kdf_time "$WORK/kdf-$r.log" "$who" >> "$WORK/kdf-$who.t" && continue
		log "bench-luks: key derivation, $who, round $r: not timed; the log ends:"
		tail -n 8 "$WORK/kdf-$r.log" | tr -d '\r' | sed 's/^/    | /' >&2
	done
}

# ---- the rounds ------------------------------------------------------------------
echo "kernel: $KVER, QEMU TCG, guest: $INITKIT_QEMU_SHAPE, 512 MB; $BOOTS rounds, the systems in turn"
echo "disk: the luks-lvm stack (LUKS2, argon2id 32 MiB x 4, one keyslot; LVM vg0/root; key file)"
t0=$SECONDS
for r in $(seq "$BOOTS"); do
	tr0=$SECONDS
	for s in $SYSTEMS; do
		bench_boot "$s" "$r" "bench-luks: ${LABEL[$s]}" "${LIMIT[$s]:-180}" "$WORK/$s.img" \
			"${APPEND[$s]}" "$WORK/disk.img"
	done
	kdf_boot "$r"
	log "round $r/$BOOTS: $((SECONDS - tr0)) s"
done

# ---- the table ---------------------------------------------------------------------
for who in ours cryptsetup; do KDF[$who]=$(median < "$WORK/kdf-$who.t"); done
for s in $SYSTEMS; do KT[$s]=$(median < "$WORK/$s.kt"); done
# spread: min-max and (max-min)/median
spread() {
	sort -n "$1" | awk 'NR == 1 { lo = $1 } { hi = $1; v[NR] = $1 }
		END { if (NR == 0) { print "-"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.2f-%.2f (%.0f%%)\n", lo, hi, m ? 100 * (hi - lo) / m : 0 }'
}
# ratio A B [KDF_A KDF_B]: A / B, or (A - KDF_A) / (B - KDF_B)
ratio() {
	[ -n "$1" ] && [ -n "$2" ] || { echo -; return; }
	awk -v a="$1" -v b="$2" -v ka="${3:-0}" -v kb="${4:-0}" \
		'BEGIN { if (b - kb <= 0) print "-"; else printf "%.2fx\n", (a - ka) / (b - kb) }'
}
printf '\n%-46s %11s %15s %19s %14s %8s %9s\n' system "image bytes" "kernel->root s" \
	"spread s" "KDF s" "/ ours" "less KDF"
for s in $SYSTEMS; do
	k=${KDF[${KDF_OF[$s]}]}
	if [ -n "${KDF[ours]}" ] && [ -n "$k" ]; then
		less=$(ratio "${KT[$s]}" "${KT[ours]}" "$k" "${KDF[ours]}")
	else
		less=-
	fi
	printf '%-46s %11s %15s %19s %14s %8s %9s\n' "${LABEL[$s]}" "${SIZE[$s]}" "${KT[$s]:-FAIL}" \
		"$(spread "$WORK/$s.kt")" "${k:--}${k:+ (${KDF_OF[$s]%setup})}" \
		"$(ratio "${KT[$s]}" "${KT[ours]}")" "$less"
done
echo
echo "KDF: the unlock alone in its own guest, median of $BOOTS (ours: initkit's helper, key file to"
echo "dm-crypt table; crypt: cryptsetup open --test-passphrase, same keyslot); each:"
printf '  %-12s %s\n' ours "$(tr '\n' ' ' < "$WORK/kdf-ours.t")" \
	cryptsetup "$(tr '\n' ' ' < "$WORK/kdf-cryptsetup.t")"
echo "kernel start -> the root's init, each boot:"
for s in $SYSTEMS; do printf '  %-46s %s\n' "${LABEL[$s]}" "$(tr '\n' ' ' < "$WORK/$s.kt")"; done
echo "/init start -> the root's init, medians:"
for s in $SYSTEMS; do printf '  %-46s %s\n' "${LABEL[$s]}" "$(median < "$WORK/$s.it")"; done
awk -v a="${SIZE[tool]}" -v b="${SIZE[ours]}" \
	'BEGIN { printf "image: cryptsetup / our helper: %.2fx (%d bytes more)\n", a / b, a - b }'
echo "wall time: $((SECONDS - t0)) s for $BOOTS rounds"
[ "$PEERS" = 0 ] || [ -z "${KDF[ours]}" ] || [ -z "${KDF[cryptsetup]}" ] ||
	echo "target (issue 17): initramfs-tools / ours less key derivation >= 3x:" \
		"$(ratio "${KT[it]:-}" "${KT[ours]:-}" "${KDF[cryptsetup]}" "${KDF[ours]}")"

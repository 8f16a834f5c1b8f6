#!/bin/bash
# tests/gen/uki.sh - mkinitramfs --uki: the unified kernel image's sections
# as binutils reads them (objdump -h), their contents, the signed variant
# verified by sbverify against a throwaway certificate, and each refusal
# (no stub, a stub that is not PE, no kernel, a key without a certificate,
# ...) naming its cause, before anything is written: the previous OUT.efi
# stays byte for byte.  Prints "ok NAME" / "not ok NAME".
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok uki-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-uki.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK="$TOP/mkinitramfs"
GEN=(-k "$KVER" -b "$KROOT" -M virtio -M ext4)
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
LIMIT=30	# seconds: a run that takes longer is hanging

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
mk() { timeout -k 2 "$LIMIT" "$MK" "$@"; }

for p in "$STUB" /usr/bin/sbsign /usr/bin/sbverify /usr/bin/openssl /usr/bin/objdump; do
	[ -e "$p" ] || { notok uki-deps "no $p (tools/deps installs it)"; exit 0; }
done

# section EFI NAME: the bytes of section NAME (objdump -h's size and file
# offset), on stdout
section() {
	local line size off
	line=$(objdump -h "$1" | awk -v n="$2" '$2 == n { print $3, $6; exit }')
	[ -n "$line" ] || return 1
	read -r size off <<< "$line"
	tail -c +$((0x$off + 1)) "$1" | head -c $((0x$size))
}
# names EFI: the section names in order, one line
names() { objdump -h "$1" | awk '$1 ~ /^[0-9]+$/ { printf "%s ", $2 }'; }

printf 'ID=initkit-uki-test\nPRETTY_NAME="initkit UKI test"\n' > "$WORK/os-release"
CMDLINE="root=UUID=$ROOT_UUID ro quiet"
mk "${GEN[@]}" -o "$WORK/image.img" --uki "$WORK/a.efi" --kernel "$VMLINUZ" \
	--os-release "$WORK/os-release" --cmdline "$CMDLINE" 2> "$WORK/a.err" ||
	{ notok uki-build "$(tail -1 "$WORK/a.err")"; exit 0; }
ok uki-build

# --- the layout, as binutils reads it ---
check uki-objdump-reads objdump -h "$WORK/a.efi"
n=$(names "$WORK/a.efi")
case $n in
*".sbat .sdmagic .osrel .cmdline .uname .initrd .linux ") ok uki-sections-order ;;
*) notok uki-sections-order "$n" ;;
esac
case $n in *.text*) ok uki-stub-sections-kept ;; *) notok uki-stub-sections-kept "$n" ;; esac
check uki-sbat-kept cmp <(section "$STUB" .sbat) <(section "$WORK/a.efi" .sbat)
check uki-text-kept cmp <(section "$STUB" .text) <(section "$WORK/a.efi" .text)
check uki-linux-is-kernel cmp "$VMLINUZ" <(section "$WORK/a.efi" .linux)
check uki-initrd-is-image cmp "$WORK/image.img" <(section "$WORK/a.efi" .initrd)
check uki-osrel cmp "$WORK/os-release" <(section "$WORK/a.efi" .osrel)
check uki-cmdline test "$(section "$WORK/a.efi" .cmdline)" = "$CMDLINE"
check uki-uname test "$(section "$WORK/a.efi" .uname)" = "$KVER"
# every added section's file offset at FileAlignment, its address at
# SectionAlignment (the stub's own .sdmagic is not: systemd places it so),
# no section overlapping the next, SizeOfImage covering all
objdump -p "$WORK/a.efi" > "$WORK/p"
fa=$((0x$(awk '$1 == "FileAlignment" { print $2 }' "$WORK/p")))
sa=$((0x$(awk '$1 == "SectionAlignment" { print $2 }' "$WORK/p")))
soi=$((0x$(awk '$1 == "SizeOfImage" { print $2 }' "$WORK/p")))
bad=$(objdump -h "$WORK/a.efi" | awk -v fa="$fa" -v sa="$sa" -v soi="$soi" '
	function hex(s,   i, v) {
		v = 0
		for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
		return v
	}
	$1 ~ /^[0-9]+$/ {
		size = hex($3); vma = hex($4); off = hex($6)
		added = $2 ~ /^\.(osrel|cmdline|uname|splash|initrd|linux)$/
		if (added && off % fa) print $2 ": file offset not at FileAlignment"
		if (added && vma % sa) print $2 ": address not at SectionAlignment"
		if (n && vma < vend) print $2 ": overlaps the previous section in memory"
		if (n && off < fend) print $2 ": overlaps the previous section in the file"
		vend = vma + size; fend = off + size; n++
	}
	END { if (vend > soi) print "SizeOfImage below the last section" }')
if [ -z "$bad" ]; then ok uki-alignment; else notok uki-alignment "$bad"; fi

# reproducible: the same inputs, the same bytes
mk "${GEN[@]}" --uki "$WORK/b.efi" --kernel "$VMLINUZ" --os-release "$WORK/os-release" \
	--cmdline "$CMDLINE" 2>/dev/null
check uki-reproducible cmp "$WORK/a.efi" "$WORK/b.efi"
check uki-without-o test ! -e "$WORK/image-b.img"

# defaults: the stub, BASEDIR/boot/vmlinuz-KVER, the host's os-release; no
# --cmdline, no .cmdline section
mk "${GEN[@]}" --uki "$WORK/d.efi" 2> "$WORK/d.err"
check uki-defaults cmp "$VMLINUZ" <(section "$WORK/d.efi" .linux)
osrel=/etc/os-release; [ -f $osrel ] || osrel=/usr/lib/os-release
check uki-default-osrel cmp "$osrel" <(section "$WORK/d.efi" .osrel)
case $(names "$WORK/d.efi") in *.cmdline*) notok uki-no-cmdline "has .cmdline" ;; *) ok uki-no-cmdline ;; esac

# a splash (a 1x1 BMP), before .initrd
printf 'BM\x3a\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\x18\0\0\0\0\0\x04\0\0\0\x13\x0b\0\0\x13\x0b\0\0\0\0\0\0\0\0\0\0\xff\0\0\0' > "$WORK/splash.bmp"
mk "${GEN[@]}" --uki "$WORK/s.efi" --splash "$WORK/splash.bmp" --cmdline x 2>/dev/null
case $(names "$WORK/s.efi") in
*".splash .initrd .linux ") ok uki-splash-order ;;
*) notok uki-splash-order "$(names "$WORK/s.efi")" ;;
esac
check uki-splash cmp "$WORK/splash.bmp" <(section "$WORK/s.efi" .splash)

# --- signed: sbverify accepts it against the certificate ---
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/db.key" -out "$WORK/db.crt" \
	-days 1 -subj "/CN=initkit UKI test/" >/dev/null 2>&1
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/other.key" -out "$WORK/other.crt" \
	-days 1 -subj "/CN=someone else/" >/dev/null 2>&1
mk "${GEN[@]}" --uki "$WORK/signed.efi" --cmdline "$CMDLINE" --sign-key "$WORK/db.key" \
	--sign-cert "$WORK/db.crt" 2> "$WORK/signed.err"
check uki-signed-verifies sbverify --cert "$WORK/db.crt" "$WORK/signed.efi"
if sbverify --cert "$WORK/other.crt" "$WORK/signed.efi" >/dev/null 2>&1; then
	notok uki-signed-other-cert "verified against another certificate"
else ok uki-signed-other-cert; fi
if sbverify --cert "$WORK/db.crt" "$WORK/a.efi" >/dev/null 2>&1; then
	notok uki-unsigned-not-verified "an unsigned UKI verified"
else ok uki-unsigned-not-verified; fi
check uki-signed-sections test "$(names "$WORK/signed.efi")" = "$(names "$WORK/a.efi")"
check uki-signed-no-temp sh -c "! ls -d /tmp/initkit-uki.*/unsigned.efi 2>/dev/null | grep -q ."

# --- refusals: the cause named, the previous OUT.efi byte for byte ---
# expect_fail NAME PATTERN ARGS...
expect_fail() {
	local name=$1 pat=$2 rc; shift 2
	cp "$WORK/a.efi" "$WORK/out.efi"
	mk "${GEN[@]}" "$@" >"$WORK/err" 2>&1; rc=$?
	if [ $rc -eq 0 ]; then notok "$name" "succeeded"; return; fi
	if [ $rc -eq 124 ]; then notok "$name" "hung (killed after $LIMIT s)"; return; fi
	if ! grep -qE -- "$pat" "$WORK/err"; then
		notok "$name" "message: $(head -2 "$WORK/err" | tr '\n' ' ')"; return
	fi
	if ! cmp -s "$WORK/a.efi" "$WORK/out.efi"; then
		notok "$name" "previous UKI changed"; return
	fi
	if ls -A "$WORK" | grep -q '^\.out\.efi\.'; then
		notok "$name" "temporary file left behind"; return
	fi
	ok "$name"
}
U=(--uki "$WORK/out.efi" --cmdline "$CMDLINE")
mkfifo "$WORK/fifo"
head -c 4096 /dev/zero > "$WORK/zeros"
expect_fail uki-missing-stub "--stub $WORK/nostub: No such file.*name systemd's EFI stub" \
	"${U[@]}" --stub "$WORK/nostub"
expect_fail uki-stub-not-pe "--stub $WORK/os-release: not a PE/COFF image \(no MZ header\)" \
	"${U[@]}" --stub "$WORK/os-release"
expect_fail uki-stub-fifo "--stub $WORK/fifo: a FIFO, not a regular file" \
	"${U[@]}" --stub "$WORK/fifo"
expect_fail uki-stub-is-uki "--stub $WORK/a.efi: the stub has a .osrel section already" \
	"${U[@]}" --stub "$WORK/a.efi"
expect_fail uki-missing-kernel "--kernel $WORK/nokernel: No such file.*install that kernel" \
	"${U[@]}" --kernel "$WORK/nokernel"
expect_fail uki-kernel-not-efi "--kernel $WORK/zeros: not an EFI-bootable kernel image" \
	"${U[@]}" --kernel "$WORK/zeros"
expect_fail uki-default-kernel-missing "--kernel $WORK/empty/boot/vmlinuz-$KVER: No such file" \
	"${U[@]}" -b "$WORK/empty"
expect_fail uki-missing-osrel "--os-release $WORK/noosrel: No such file.*--os-release FILE" \
	"${U[@]}" --os-release "$WORK/noosrel"
expect_fail uki-osrel-dir "--os-release $WORK: a directory, not a regular file" \
	"${U[@]}" --os-release "$WORK"
expect_fail uki-splash-not-bmp "--splash $WORK/os-release: not a BMP image" \
	"${U[@]}" --splash "$WORK/os-release"
expect_fail uki-key-without-cert "--sign-key without --sign-cert: signing needs both" \
	"${U[@]}" --sign-key "$WORK/db.key"
expect_fail uki-cert-without-key "--sign-cert without --sign-key: signing needs both" \
	"${U[@]}" --sign-cert "$WORK/db.crt"
expect_fail uki-missing-key "--sign-key $WORK/nokey: No such file" \
	"${U[@]}" --sign-key "$WORK/nokey" --sign-cert "$WORK/db.crt"
expect_fail uki-missing-cert "--sign-cert $WORK/nocert: No such file" \
	"${U[@]}" --sign-key "$WORK/db.key" --sign-cert "$WORK/nocert"
expect_fail uki-key-not-a-key "sbsign failed.*PEM pair" \
	"${U[@]}" --sign-key "$WORK/os-release" --sign-cert "$WORK/db.crt"
expect_fail uki-key-cert-mismatch "sbsign failed.*PEM pair" \
	"${U[@]}" --sign-key "$WORK/other.key" --sign-cert "$WORK/db.crt"
openssl pkey -in "$WORK/db.key" -aes256 -passout pass:secret -out "$WORK/enc.key" 2>/dev/null
expect_fail uki-key-encrypted "--sign-key $WORK/enc.key: the key is encrypted.*openssl pkey" \
	"${U[@]}" --sign-key "$WORK/enc.key" --sign-cert "$WORK/db.crt"
expect_fail uki-format-image "--uki goes with --format cpio" "${U[@]}" --format image
expect_fail uki-options-need-uki "go with --uki OUT.efi" -o "$WORK/x.img" --cmdline x
expect_fail uki-out-is-dir "--uki $WORK/ ends in '/'" --uki "$WORK/"
expect_fail uki-empty-path "--uki: empty path" --uki ""

# --- kernel-install: layout=uki builds uki.efi in the staging area ---
PLUGIN=$TOP/kernel/50-initkit.install
mkdir -p "$WORK/ki/etc" "$WORK/ki/stage" "$WORK/ki/stage2" "$WORK/ki/stage3"
printf 'root=UUID=%s ro\n' "$ROOT_UUID" > "$WORK/ki/etc/cmdline"
printf '# kernel-install settings\nlayout="uki"\n' > "$WORK/ki/etc/install.conf"
ki() {	# ki STAGE [VAR=VALUE...]: the plugin's "add" for the test kernel, as
	# systemd 253 runs it, with 90-uki-copy.install after it
	local stage=$1; shift
	env INITKIT_MKINITRAMFS="$MK" INITKIT_BASEDIR="$KROOT" KERNEL_INSTALL_STAGING_AREA="$stage" \
		KERNEL_INSTALL_CONF_ROOT="$WORK/ki/etc" \
		KERNEL_INSTALL_PLUGINS="$PLUGIN /usr/lib/kernel/install.d/90-uki-copy.install" "$@" \
		sh "$PLUGIN" add "$KVER" "$WORK/ki/entry" "$VMLINUZ" 2> "$WORK/ki.err"
}
ki "$WORK/ki/stage"
check kernel-install-uki-conf objdump -h "$WORK/ki/stage/uki.efi"
check kernel-install-uki-no-initrd test ! -e "$WORK/ki/stage/initrd"
check kernel-install-uki-cmdline test "$(section "$WORK/ki/stage/uki.efi" .cmdline)" = "root=UUID=$ROOT_UUID ro"
check kernel-install-uki-kernel cmp "$VMLINUZ" <(section "$WORK/ki/stage/uki.efi" .linux)
# KERNEL_INSTALL_LAYOUT wins over install.conf
ki "$WORK/ki/stage2" KERNEL_INSTALL_LAYOUT=bls
check kernel-install-bls-initrd "$MK" --list "$WORK/ki/stage2/initrd"
check kernel-install-bls-no-uki test ! -e "$WORK/ki/stage2/uki.efi"
rm "$WORK/ki/etc/install.conf"
ki "$WORK/ki/stage3" KERNEL_INSTALL_LAYOUT=uki
check kernel-install-uki-env objdump -h "$WORK/ki/stage3/uki.efi"
# systemd 252 (no 90-uki-copy.install): the plugin puts the UKI on the ESP
# itself, as ESP/EFI/Linux/TOKEN-VERSION.efi, and "remove" removes it
mkdir -p "$WORK/ki/stage4" "$WORK/ki/esp"
v252=(KERNEL_INSTALL_PLUGINS="$PLUGIN /usr/lib/kernel/install.d/90-loaderentry.install"
	KERNEL_INSTALL_LAYOUT=uki KERNEL_INSTALL_BOOT_ROOT="$WORK/ki/esp" KERNEL_INSTALL_ENTRY_TOKEN=tok)
ki "$WORK/ki/stage4" "${v252[@]}"
check kernel-install-252-esp objdump -h "$WORK/ki/esp/EFI/Linux/tok-$KVER.efi"
check kernel-install-252-not-staged test ! -e "$WORK/ki/stage4/uki.efi"
env "${v252[@]}" sh "$PLUGIN" remove "$KVER" "$WORK/ki/entry" 2>/dev/null
check kernel-install-252-remove test ! -e "$WORK/ki/esp/EFI/Linux/tok-$KVER.efi"

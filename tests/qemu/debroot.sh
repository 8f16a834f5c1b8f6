# tests/qemu/debroot.sh - a real Debian 12 root (systemd, udev) for the QEMU
# cases: "proof means a real root".  Sourced by boot-tests.sh after lib.sh;
# run it to build the root ahead of time (prints the tarball's path).
#
#   debroot_tar          the path of the root as a tarball, built once per
#                        machine: $CACHE/debroot/bookworm.KEY.tar, KEY a hash
#                        of debian_tar's builder and of debroot_recipe (the
#                        package list).  What
#                        mmdebstrap made, nothing else: the configuration,
#                        the kernel's modules and fstab are the disk's.
#   mkdisk_debroot IMG UUID KVER [FSTAB_ROOT [FSTAB_SWAP]]
#                        a disk recipe (tests/qemu/cases): the tarball,
#                        debroot_configure's changes, the test kernel's modules in /lib/modules/KVER, /etc/fstab
#                        naming the root as FSTAB_ROOT (UUID=UUID by default;
#                        /dev/vda for a by-path variant) and a swap line for
#                        FSTAB_SWAP if given, in a sparse 1536M
#                        ext4 filesystem with that UUID.  KVER is an argument
#                        so that the disk's cache key changes with the kernel.
#   mkdisk_debroot_lvm IMG UUID KVER
#                        the same root on LVM as the Debian installer lays it
#                        out (tests/qemu/stacks/lvm-debroot: vg0/root and
#                        vg0/swap_1 on a GPT partition), its fstab naming
#                        /dev/mapper/vg0-root and /dev/mapper/vg0-swap_1.
#   mkdisk_debroot_md IMG UUID KVER N
#                        member N of the root on RAID1 as the installer lays
#                        it out (tests/qemu/stacks/md-debroot: /dev/md0 over
#                        a partition of each disk), its fstab by UUID.
#
# The root boots to multi-user.target; initkit-report.service, ordered after
# it, waits for the boot to finish and prints on the console
#   initkit-debroot: failed=N state=STATE
# (systemctl is-system-running), the failed units with their journal, and
# systemd-analyze's times, then powers the guest off.
#
# Costs on the 2-core test machine (TCG for the boots): see the debroot-plain
# case in tests/qemu/cases.

# The recipe: the suite, then the packages beyond minbase.  A function,
# because the cache keys hash functions' source (fn_source), not variables.
# PID 1 and udev are the proof; kmod: udev loads modules through it;
# e2fsprogs: systemd-fsck-root checks the root; util-linux: mount, agetty;
# lvm2 and mdadm: what a Debian root on LVM or RAID has (their udev rules
# name the md devices and find the PVs in the real root);
# dbus: systemd-logind (wanted by multi-user.target) needs the system bus,
# and every Debian install has it (systemd Recommends it, minbase skips
# Recommends).
debroot_recipe() {
	echo bookworm systemd-sysv udev kmod procps e2fsprogs util-linux dbus lvm2 mdadm
}

# debroot_mirrors SUITE: the host's own Debian sources for SUITE, as
# one-line "deb URI SUITE main" entries for mmdebstrap (SUITE, SUITE-updates,
# SUITE-security): the machine reaches the archive only through what apt is
# configured with.  Reads /etc/apt/sources.list and sources.list.d/*.sources
# (deb822) and *.list.
debroot_mirrors() {
	local suite=$1 f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		case $f in
		*.sources)	# deb822 stanzas: Types, URIs, Suites (Enabled: no skips)
			awk '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && enabled != "no")
						for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
							print uri[i], suite[j]
					types = ""; enabled = ""; nu = 0; ns = 0
				}
				/^[ \t]*$/ { flush(); next }
				/^#/ { next }
				tolower($1) == "types:" { $1 = ""; types = $0 " " }
				tolower($1) == "enabled:" { enabled = tolower($2) }
				tolower($1) == "uris:" { for (i = 2; i <= NF; i++) uri[++nu] = $i }
				tolower($1) == "suites:" { for (i = 2; i <= NF; i++) suite[++ns] = $i }
				END { flush() }' "$f" ;;
		*)	# one-line: deb [options] URI SUITE COMPONENT...
			awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
				print $i, $(i + 1) }' "$f" ;;
		esac
	done | awk -v s="$suite" '
		$2 == s || $2 == s "-updates" || $2 == s "-security" {
			if (!seen[$2]++) print "deb " $1 " " $2 " main" }'
}

# debian_tree DIR SUITE PACKAGE...: the tree mmdebstrap makes of SUITE's
# minbase and PACKAGEs, from the host's own Debian sources (also the
# initramfs-tools chroot of tests/bench-luks.sh)
debian_tree() {
	local dir=$1 suite=$2 pkgs mirrors=()
	shift 2
	pkgs=$*
	mapfile -t mirrors < <(debroot_mirrors "$suite")
	[ ${#mirrors[@]} -gt 0 ] ||
		{ log "debian_tree: no Debian source for $suite in /etc/apt/sources.list*"; return 1; }
	# root mode: the tree's owners must be real ones, for tar and mke2fs -d
	# (the tests run as root).  Check-Valid-Until as on the host: its
	# archive may be a dated snapshot.
	mmdebstrap --quiet --variant=minbase --mode=root \
		--include="${pkgs// /,}" \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		"$suite" "$dir" "${mirrors[@]}"
}

# debroot_configure DIR: what an installed system has and a test needs
debroot_configure() {
	local dir=$1
	echo initkit-debroot > "$dir/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tinitkit-debroot\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
		> "$dir/etc/hosts"
	# mmdebstrap leaves the host's resolver there; the guest has no network
	: > "$dir/etc/resolv.conf"
	chmod 644 "$dir/etc/hostname" "$dir/etc/resolv.conf"
	# a fixed machine id, as an installed system has one: an empty one
	# makes every boot of the snapshot a "first boot" (ConditionFirstBoot
	# units, a transient id mounted over the file)
	echo 8a1e5bd0c1f94e6c9d2a7b3c4d5e6f70 > "$dir/etc/machine-id"
	sed -i 's/^root:[^:]*:/root::/' "$dir/etc/shadow"	# root logs in without a password

	cat > "$dir/usr/local/sbin/initkit-report" <<'EOT'
#!/bin/sh
# initkit-report: when the boot has finished, say how it went on the console
# (the QEMU case reads it) and power off.
p=initkit-debroot:
state=$(systemctl is-system-running --wait)
failed=$(systemctl --failed --no-legend --plain | awk '{ print $1 }')
n=$(printf '%s' "$failed" | grep -c .)
for u in $failed; do
	echo "$p failed unit $u:"
	journalctl -b -u "$u" -n 12 --no-pager -o short-monotonic | sed "s/^/$p   /"
done
# the boot's warnings, for whoever reads the log (a passing boot has a few)
journalctl -b -p warning -n 40 --no-pager -o short-monotonic | sed "s/^/$p warning: /"
systemd-analyze time | sed "s/^/$p /"
# systemd stops its "Reached target" lines on the console once a getty
# holds it (ttyS0 is the console): say it here, with when (the monotonic
# clock, as the kernel's log stamps)
us=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
echo "$p multi-user.target is $(systemctl is-active multi-user.target)," \
	"reached $((us / 1000000)).$((us / 100000 % 10)) s after the kernel started"
# what the initramfs handed over, as systemd kept it
echo "$p /dev: $(findmnt -nr -o FSTYPE,OPTIONS /dev); /run: $(findmnt -nr -o FSTYPE,OPTIONS /run);" \
	"/run/initramfs: $(ls /run/initramfs | tr '\n' ' ')"
# who checked the root: systemd (condition yes) or the initramfs, which then
# leaves /run/initramfs/fsck-root (condition no)
echo "$p systemd-fsck-root condition=$(systemctl show -P ConditionResult systemd-fsck-root.service)"
echo "$p swaps: $(swapon --show=NAME --noheadings | tr '\n' ' ')"
echo "$p failed=$n state=$state"
systemctl poweroff
EOT
	chmod 755 "$dir/usr/local/sbin/initkit-report"
	# Type=exec: its start job ends once the script runs, so the system can
	# reach "running" while the script waits for that (a oneshot's job
	# would hold the state at "starting")
	cat > "$dir/etc/systemd/system/initkit-report.service" <<'EOT'
[Unit]
Description=initkit: report the boot on the console, then power off
After=multi-user.target

[Service]
Type=exec
ExecStart=/usr/local/sbin/initkit-report
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOT
	mkdir -p "$dir/etc/systemd/system/multi-user.target.wants"
	ln -sf /etc/systemd/system/initkit-report.service \
		"$dir/etc/systemd/system/multi-user.target.wants/initkit-report.service"
}

# debian_tar NAME RECIPE: prints the path of the tree debian_tree makes of
# what function RECIPE prints (the suite, then the packages), as a tarball
# cached in $CACHE/NAME/SUITE.KEY.tar, KEY a hash of RECIPE's and
# debian_tree's source (fn_source); builds it first if there is none for
# this recipe (and removes other recipes' trees unused for two days).  What
# mmdebstrap made, nothing else: configuration is the user's, per use.
debian_tar() {
	local name=$1 recipe=$2 key tar dir t0 suite pkgs
	read -r suite pkgs <<< "$("$recipe")"
	key=$({ fn_source debian_tree; fn_source "$recipe"; } | sha256sum | cut -c1-16)
	tar=$CACHE/$name/$suite.$key.tar
	if [ ! -f "$tar" ]; then
		mkdir -p "$CACHE/$name"
		# other recipes' trees unused for two days (cached_disk's rule: a
		# branch and main each keep theirs rather than rebuild each other's)
		find "$CACHE/$name" -maxdepth 1 -name "$suite.*.tar" -mtime +1 -delete 2>/dev/null
		t0=$SECONDS
		log "$name: building the $suite tree with mmdebstrap (once per machine)"
		dir=$(mktemp -d "$CACHE/$name/build.XXXXXX") || return 1
		# shellcheck disable=SC2086 # the package list
		if ! debian_tree "$dir/root" "$suite" $pkgs > "$dir/log" 2>&1 ||
			! tar -C "$dir/root" --numeric-owner --xattrs --xattrs-include='*' -cf "$dir/root.tar" .; then
			log "$name: build failed:"; tail -n 20 "$dir/log" >&2
			# never into a /proc or /sys a killed mmdebstrap left mounted
			rm -rf --one-file-system "$dir"
			return 1
		fi
		mv "$dir/root.tar" "$tar"
		rm -rf "$dir"
		log "$name: $tar built in $((SECONDS - t0)) s"
	fi
	touch -c "$tar"
	printf '%s\n' "$tar"
}

# debroot_tar: the Debian root's tarball (debroot_recipe)
debroot_tar() { debian_tar debroot debroot_recipe; }

# mkdisk_debroot IMG UUID KVER [FSTAB_ROOT [FSTAB_SWAP [CRYPTTAB]]]: the Debian
# root on ext4; CRYPTTAB: its /etc/crypttab line
mkdisk_debroot() {
	local img=$1 uuid=$2 kver=$3 fsroot=${4:-UUID=$2} fsswap=${5:-} crypttab=${6:-} tar tree t0=$SECONDS
	tar=$(debroot_tar) || return 1
	tree=$(mktemp -d "$CACHE/debroot/disk.XXXXXX") || return 1
	tar -C "$tree" --numeric-owner --xattrs --xattrs-include='*' -xf "$tar" &&
		debroot_configure "$tree" &&
		mkdir -p "$tree/usr/lib/modules" &&
		cp -a "$KROOT/lib/modules/$kver" "$tree/usr/lib/modules/" || { rm -rf "$tree"; return 1; }
	[ -z "$crypttab" ] || printf '# <target name> <source device> <key file> <options>\n%s\n' \
		"$crypttab" > "$tree/etc/crypttab"
	# as Debian's installer writes it: pass 1, systemd-fsck-root checks the
	# root while it is still read-only, systemd-remount-fs makes it rw
	printf '# <file system> <mount point> <type> <options> <dump> <pass>\n%s / ext4 errors=remount-ro 0 1\n' \
		"$fsroot" > "$tree/etc/fstab"
	[ -z "$fsswap" ] || printf '%s none swap sw 0 0\n' "$fsswap" >> "$tree/etc/fstab"
	rm -f "$img"
	mke2fs -q -F -t ext4 -d "$tree" -L debroot -U "$uuid" -E root_owner=0:0 "$img" 1536M >/dev/null ||
		{ rm -rf "$tree"; return 1; }
	rm -rf "$tree"
	log "debroot: disk made in $((SECONDS - t0)) s"
}

# mkdisk_debroot_lvm IMG UUID KVER: the root written into vg0/root of the
# lvm-debroot stack's disk, 2 MiB in (the recipe checks the offset); the
# stack's cache key is this disk's too (mkdisk_debroot_lvm_key)
mkdisk_debroot_lvm() {
	local img=$1 fs=$1.fs
	stack_disk "$img" lvm-debroot 0 || return 1
	mkdisk_debroot "$fs" "$2" "$3" /dev/mapper/vg0-root /dev/mapper/vg0-swap_1 || return 1
	[ "$(stat -c %s "$fs")" = $((1536 << 20)) ] || { log "debroot: $fs is not 1536 MiB"; return 1; }
	dd if="$fs" of="$img" bs=1M seek=2 conv=notrunc,sparse status=none || { rm -f "$fs"; return 1; }
	rm -f "$fs"
}
mkdisk_debroot_lvm_key() { stack_key lvm-debroot; }

# mkdisk_debroot_md IMG UUID KVER N: member N of the md-debroot RAID1 with
# the root (fstab: UUID=, as the installer writes it for an md root) at
# the members' data offset, 2 MiB into the partition at 1 MiB
mkdisk_debroot_md() {
	local img=$1 fs
	stack_disk "$img" md-debroot "$4" || return 1
	fs=$(cached_disk debroot-mdfs mkdisk_debroot "$2" "$3") || return 1
	[ "$(stat -c %s "$fs")" = $((1536 << 20)) ] || { log "debroot: $fs is not 1536 MiB"; return 1; }
	dd if="$fs" of="$img" bs=1M seek=3 conv=notrunc,sparse status=none
}
mkdisk_debroot_md_key() { stack_key md-debroot; }

# The root of the luks-debroot stack (a payload its recipe writes into
# vg0/root inside the LUKS volume, in the builder guest): fstab on LVM, and
# a crypttab that names the volume vda1_crypt, as Debian's installer does
# ("sda5_crypt"), not luks-UUID as /init names a volume its image's
# crypttab does not know.
DEBROOT_UUID=${DEBROOT_UUID:-d3b1a2c4-0000-4000-8000-00000000deb1}
LUKS_DEBROOT_UUID=4c554b53-0004-4000-8000-000000000004
debroot_luks_args() {
	printf '%s\n' "$DEBROOT_UUID" "$KVER" /dev/mapper/vg0-root /dev/mapper/vg0-swap_1 \
		"vda1_crypt UUID=$LUKS_DEBROOT_UUID none luks,discard"
}
debroot_luks_payload() {
	local args
	mapfile -t args < <(debroot_luks_args)
	cached_disk debroot-luksfs mkdisk_debroot "${args[@]}"
}
debroot_luks_payload_key() {
	local args
	mapfile -t args < <(debroot_luks_args)
	disk_key mkdisk_debroot "${args[@]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then	# run, not sourced: build the root
	set -u
	. "$(dirname "$0")/../lib.sh"
	debroot_tar
fi

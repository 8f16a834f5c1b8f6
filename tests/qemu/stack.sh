# tests/qemu/stack.sh - stacked test disks (LVM, MD RAID, LVM on MD, swap on
# LVM), built inside a QEMU guest: the host kernel here has no device-mapper
# and no md, Debian's test kernel has both as modules.  Source it after
# lib.sh (hooks.sh does, for the QEMU cases).
#
# A recipe is tests/qemu/stacks/NAME: BusyBox shell run in the guest (set -e
# -x) by tests/qemu/stack-init, with the host's own lvm, mdadm, sfdisk,
# mkswap, mke2fs, blkid, cryptsetup and debugfs.  Its "#:" lines are data:
#   #: disks SIZE...              blank disks to make, $D0 $D1 ... in the guest
#   #: payload SERIAL FUNC        a read-only disk more, with that serial (the
#                                 recipe finds it with "disk SERIAL"): the
#                                 file FUNC prints (a cached_disk), keyed by
#                                 FUNC_key's output
#   #: verify DEV TYPE [UUID]     after assembling the stack, blkid finds TYPE
#                                 (and UUID: $ROOT_UUID, $VAR_UUID, $SWAP_UUID)
#                                 on DEV
# In the guest $ROOT_FS is the marker root (mkdisk_ext4 with ROOT_UUID and
# ROOT_LABEL, the one the cases expect) and $VAR_FS the same with VAR_UUID
# and VAR_LABEL: recipes dd them onto the top device.  The guest takes
# LVM down and stops the arrays after the recipe, so the metadata is clean.
#
# stack_build NAME boots the guest once per recipe and keeps the disks in
# $CACHE/stack/NAME.KEY/diskN.img.  KEY hashes the recipe, stack-init, the
# payload disks' keys, KVER and the versions of the packages whose tools run
# in the guest: a fresh machine builds each stack once.  Changing this
# file's host side in a way that changes the disks: bump STACK_FORMAT.
# A case takes disk N of a stack with "mkdisk NAME stack_disk STACK N".
#
# Measured (Dec 2026; 2 cores shared with other jobs, load average 4-8;
# TCG): from an empty cache, tests/qemu/stack-tests.sh built the six
# stacks and verified them in 261 s and 243 s wall (a build 29-42 s, of
# which the guest 14-41 s and the image 1.5-3 s; the six builds about
# 200 s).  Warm (no build, one verify boot of all six): 37-62 s wall, the
# guest about 27 s (2.5 s a stack).  cached_disk's key for a stack_disk on
# a warm cache: 1.0-1.4 s.

STACK_FORMAT=1
# payloads can be the real Debian root (debroot.sh's)
. "$(dirname "${BASH_SOURCE[0]}")/debroot.sh"
STACK_CACHE=$CACHE/stack
STACK_DIR=$TOP/tests/qemu/stacks
STACK_TIMEOUT=${INITKIT_STACK_TIMEOUT:-300}	# one guest boot, seconds
VAR_UUID=7a1e0f3c-2b4d-4c5e-9f60-718293a4b5c6
VAR_LABEL=initkit-var
SWAP_UUID=5ab0c0de-1111-4222-8333-5a5a5a5a5a5a
# what the guest runs (packages: their versions are in the key)
STACK_TOOLS=(/sbin/lvm /sbin/mdadm /sbin/sfdisk /sbin/mkswap /sbin/mke2fs /sbin/blkid /sbin/cryptsetup /sbin/debugfs)
STACK_PKGS=(lvm2 mdadm fdisk util-linux e2fsprogs cryptsetup-bin busybox-static)
STACK_MODS=(virtio_pci virtio_blk dm_mod dm_crypt xts ecb md_mod raid0 raid1 raid456)

# stack_names: every recipe
stack_names() {
	local f
	for f in "$STACK_DIR"/*; do
		[ -f "$f" ] && printf '%s\n' "${f##*/}"
	done
}

# stack_sizes NAME: the sizes of the recipe's disks, one a line
stack_sizes() {
	sed -n 's/^#: disks //p' "$STACK_DIR/$1" | tr -s ' \t' '\n' | sed '/^$/d'
}

# stack_payload root|var: the path of a payload disk (a cached_disk)
stack_payload() {
	case $1 in
	root) cached_disk stack-root mkdisk_ext4 "$ROOT_UUID" "$ROOT_LABEL" ;;
	var) cached_disk stack-var mkdisk_ext4 "$VAR_UUID" "$VAR_LABEL" ;;
	esac
}

# stack_payloads NAME: the recipe's "#: payload SERIAL FUNC" lines, "SERIAL FUNC"
stack_payloads() { sed -n 's/^#: payload //p' "$STACK_DIR/$1"; }

# stack_key NAME: the hash the stack's cache entry is named by
stack_key() {
	[ -f "$STACK_DIR/$1" ] || { log "stack $1: no recipe $STACK_DIR/$1"; return 1; }
	{
		echo "format $STACK_FORMAT kernel $KVER"
		cat "$STACK_DIR/$1" "$TOP/tests/qemu/stack-init"
		printf '%s\n' "$VAR_UUID" "$VAR_LABEL" "$SWAP_UUID"
		disk_key mkdisk_ext4 "$ROOT_UUID" "$ROOT_LABEL"
		disk_key mkdisk_ext4 "$VAR_UUID" "$VAR_LABEL"
		stack_payloads "$1" | while read -r _ fn; do "${fn}_key"; done
		dpkg-query -W "${STACK_PKGS[@]}" 2>&1
	} | sha256sum | cut -c1-16
}

# qemu_path FILE: FILE for a QEMU option value (commas doubled)
qemu_path() { printf '%s' "${1//,/,,}"; }

# stack_drive FILE SERIAL OPTS: adds a virtio disk's QEMU arguments to
# the array STACK_ARGS (the guest finds the disk by its serial)
stack_drive() {
	local id=d$((${#STACK_ARGS[@]} / 4))
	STACK_ARGS+=(-drive "file=$(qemu_path "$1"),if=none,id=$id,format=raw$3"
		-device "virtio-blk-pci,drive=$id,serial=$2")
}

# stack_image OUT: the builder image: our generator, stack-init as /init
# (settings, recipes and stack-verify prepended), BusyBox and the host's
# tools
stack_image() {
	local out=$1 init=$1.init hook=$1.hook m
	{
		echo '#!/bin/sh'
		echo "# made by tests/qemu/stack.sh: settings, recipes, tests/qemu/stack-verify, tests/qemu/stack-init"
		printf 'ROOT_UUID=%s VAR_UUID=%s SWAP_UUID=%s\n' "$ROOT_UUID" "$VAR_UUID" "$SWAP_UUID"
		printf 'STACK_MODULES="%s"\n' "$(mod_load_order "${STACK_MODS[@]}" | tr '\n' ' ')"
		echo 'mkdir -p /stacks'
		for m in $(stack_names); do
			printf "cat > /stacks/%s <<'STACK-RECIPE-EOF'\n" "$m"
			cat "$STACK_DIR/$m"
			echo 'STACK-RECIPE-EOF'
		done
		cat "$TOP/tests/qemu/stack-verify" "$TOP/tests/qemu/stack-init"
	} > "$init" || return 1
	chmod +x "$init"
	{ echo 'hook busybox'; echo "binary ${STACK_TOOLS[*]}"; } > "$hook"
	local args=(-k "$KVER" -b "$KROOT" -i "$init" -H "$hook" -o "$out")
	for m in "${STACK_MODS[@]}"; do args+=(-m "$m"); done
	"$TOP/mkinitramfs" "${args[@]}" || { log "stack: mkinitramfs failed"; return 1; }
	rm -f "$init" "$hook"
}

# stack_boot LOG APPEND [QEMU ARGS]: the builder guest, bounded; its status
stack_boot() {
	local logf=$1 append=$2
	shift 2
	: > "$logf"
	qemu_vm -t "$STACK_TIMEOUT" -m 512 -i "$STACK_IMAGE" -a "quiet $append" \
		-s "file:$logf" -- "$@" </dev/null
}

# stack_fail NAME LOG WHY: say why, naming the log and showing its tail
stack_fail() {
	log "stack $1: $3; log: $2"
	tail -n 20 "$2" | tr -d '\r' | sed 's/^/    | /' >&2
}

# stack_build NAME: prints the directory holding NAME's disks, building it
# first if the cache has none for this key.  A failed or interrupted build
# leaves no entry: the disks are made in a temporary directory renamed into
# place once the guest said ok.  Builds of one NAME are serialized (flock).
stack_build() {
	local name=$1 key dir tmp lockfd rc sizes size n=0 root var old why serial fn
	local STACK_ARGS=() STACK_IMAGE
	key=$(stack_key "$name") || return 1
	dir=$STACK_CACHE/$name.$key
	if [ ! -d "$dir" ]; then
		mkdir -p "$STACK_CACHE" || return 1
		exec {lockfd}>>"$STACK_CACHE/.$name.lock"
		flock "$lockfd"
		if [ ! -d "$dir" ]; then
			for old in "$STACK_CACHE/$name".*.tmp.*; do	# interrupted builds
				[ ! -e "$old" ] || rm -rf "$old"
			done
			tmp=$dir.tmp.$$
			mkdir "$tmp"
			if ! root=$(stack_payload root) || ! var=$(stack_payload var); then
				rm -rf "$tmp"; exec {lockfd}>&-; return 1
			fi
			STACK_IMAGE=$tmp/builder.img
			sizes=$(stack_sizes "$name")
			for size in $sizes; do
				truncate -s "$size" "$tmp/disk$n.img" || break
				stack_drive "$tmp/disk$n.img" "d$n" ""
				n=$((n + 1))
			done
			stack_drive "$root" root ",readonly=on"
			stack_drive "$var" var ",readonly=on"
			while read -r serial fn; do
				[ -n "$serial" ] || continue
				if ! old=$("$fn"); then
					log "stack $name: payload $serial ($fn) failed"; rm -rf "$tmp"
					exec {lockfd}>&-; return 1
				fi
				stack_drive "$old" "$serial" ",readonly=on"
			done < <(stack_payloads "$name")
			log "stack $name: building ($n disks) in a QEMU guest (once for this recipe)"
			if [ "$n" = 0 ] || [ "$n" != "$(wc -w <<< "$sizes")" ]; then
				log "stack $name: bad '#: disks' line in $STACK_DIR/$name"; rc=1
			elif ! stack_image "$STACK_IMAGE"; then
				rc=1
			else
				stack_boot "$tmp/build.log" "stack.mode=build stack.name=$name" "${STACK_ARGS[@]}"
				rc=$?
				if tr -d '\r' < "$tmp/build.log" | grep -qx "STACK-RESULT ok $name"; then
					rc=0
				else
					cp "$tmp/build.log" "$STACK_CACHE/$name.failed.log"
					why=$(tr -d '\r' < "$tmp/build.log" | grep -m1 "^STACK-RESULT fail") ||
						why="no result line (QEMU status $rc$([ "$rc" != 124 ] || echo ": timed out after $STACK_TIMEOUT s"))"
					stack_fail "$name" "$STACK_CACHE/$name.failed.log" "${why#STACK-RESULT fail }"
					rc=1
				fi
			fi
			rm -f "$tmp/builder.img"
			if [ "$rc" = 0 ]; then	# zeros take no room
				for old in "$tmp"/disk*.img; do fallocate -d "$old" || true; done
			fi
			if [ "$rc" = 0 ] && mv -T "$tmp" "$dir"; then
				# other recipes' disks unused for two days (cached_disk's rule)
				find "$STACK_CACHE" -mindepth 1 -maxdepth 1 -name "$name.*" \
					! -name "*.tmp.*" -mtime +1 -exec rm -rf {} + 2>/dev/null
			else
				rm -rf "$tmp"
			fi
		fi
		exec {lockfd}>&-
		[ -d "$dir" ] || return 1
	fi
	touch -c "$dir"
	printf '%s\n' "$dir"
}

# stack_disk IMG STACK N: a mkdisk recipe: disk N of STACK (a copy)
stack_disk() {
	local dir
	dir=$(stack_build "$2") || return 1
	[ -f "$dir/disk$3.img" ] || { log "stack $2 has no disk $3"; return 1; }
	cp --sparse=always --reflink=auto "$dir/disk$3.img" "$1"
}

# stack_disk_key STACK N: what disk_key adds for stack_disk: the stack's key
stack_disk_key() { stack_key "$1"; }

# stack_verify NAME...: one boot of the builder guest over the stacks'
# cached disks (writes dropped): prints "ok stack NAME" or "not ok stack
# NAME: WHY" for each.  Builds the stacks missing from the cache first.
stack_verify() {
	local name dir n ok=() logf line rc bad="" tmp STACK_ARGS=() STACK_IMAGE
	for name in "$@"; do
		dir=$(stack_build "$name") || { echo "not ok stack $name: build failed (see above)"; continue; }
		n=0
		while [ -f "$dir/disk$n.img" ]; do
			stack_drive "$dir/disk$n.img" "$name.$n" ",snapshot=on"
			n=$((n + 1))
		done
		ok+=("$name")
	done
	[ ${#ok[@]} -gt 0 ] || return 0
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/initkit-stack.XXXXXX") || return 1
	STACK_IMAGE=$tmp/builder.img
	if ! stack_image "$STACK_IMAGE"; then
		for name in "${ok[@]}"; do echo "not ok stack $name: no builder image"; done
		rm -rf "$tmp"; return 0
	fi
	logf=$tmp/verify.log
	stack_boot "$logf" "stack.mode=verify stack.names=$(IFS=,; echo "${ok[*]}")" "${STACK_ARGS[@]}"
	rc=$?
	for name in "${ok[@]}"; do
		line=$(tr -d '\r' < "$logf" | grep -m1 "^STACK-VERIFY [a-z]* $name\(:\|$\)")
		case $line in
		"STACK-VERIFY ok $name") echo "ok stack $name" ;;
		"STACK-VERIFY fail "*) echo "not ok stack $name: ${line#"STACK-VERIFY fail $name: "}"; bad=1 ;;
		*) echo "not ok stack $name: no result line (QEMU status $rc)"; bad=1 ;;
		esac
	done
	if [ -n "$bad" ]; then
		cp "$logf" "$STACK_CACHE/verify.failed.log" 2>/dev/null &&
			stack_fail verify "$STACK_CACHE/verify.failed.log" "failed"
	fi
	rm -rf "$tmp"
}

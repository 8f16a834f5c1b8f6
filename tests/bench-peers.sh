#!/bin/bash
# tests/bench-peers.sh - our generator against Debian's initramfs-tools,
# dracut and tiny-initramfs, and against a hand-made "floor" image, measured
# in one run on the same test kernel ($KVER from ensure_kernel) and the same
# ext4 root disk (virtio-blk, root=UUID=...).  Prints absolute figures
# (medians) and ratios.  Run as root, after 'make'.
#
#   BOOTS=N       QEMU boots per system (default 3)
#   GENS=N        generator runs for the fast generators (default 11)
#   GENS_SLOW=N   generator runs for dracut and initramfs-tools MODULES=most
#                 (default 3; each run takes 20-70 s here)
#   PEERS="..."   systems to measure besides ours (virtio+ext4, always
#                 measured: it is the reference of the ratios); default all:
#                 ours-generic tiny it-list it-most dracut floor
#   KEEP=1        keep the work directory (images, boot logs)
#
# What it changes on the host (it needs root):
#   - installs initramfs-tools-core, dracut-core and/or tiny-initramfs-core
#     with apt-get when missing (they do not conflict; they pull in udev, and
#     apt's default Recommends such as mdadm, lvm2, cryptsetup, dmraid);
#   - copies the test kernel's modules to /lib/modules/$KVER and its config
#     to /boot/config-$KVER when absent (the peers read modules only from
#     there; initramfs-tools checks compressor support in the config) and
#     runs depmod $KVER.  These copies are LEFT IN PLACE on purpose (the next
#     run reuses them); remove them by hand if unwanted.
#   - never touches the host's /etc/initramfs-tools: initramfs-tools runs
#     with a private copy of it (mkinitramfs -d DIR).
# Durations are medians of wall clock (generation) and of the guest kernel's
# printk clock (boot); under TCG they vary +-10-30 % from run to run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

BOOTS=${BOOTS:-3} GENS=${GENS:-11} GENS_SLOW=${GENS_SLOW:-3}
ALL_PEERS="ours-generic tiny it-list it-most dracut floor"
PEERS=${PEERS:-$ALL_PEERS}

die() { log "bench-peers: $*"; exit 1; }

for n in "$BOOTS" "$GENS" "$GENS_SLOW"; do
	case $n in '' | *[!0-9]* | 0) die "BOOTS, GENS and GENS_SLOW are numbers >= 1" ;; esac
done
for p in $PEERS; do
	case " $ALL_PEERS ours " in
	*" $p "*) ;;
	*) die "PEERS: unknown system '$p' (known: $ALL_PEERS)" ;;
	esac
done
SYSTEMS=""	# in a fixed order, whatever the order of PEERS
for p in floor ours ours-generic tiny it-list it-most dracut; do
	case " ours $PEERS " in *" $p "*) SYSTEMS="$SYSTEMS $p" ;; esac
done
SYSTEMS=${SYSTEMS# }
want() { case " $SYSTEMS " in *" $1 "*) return 0 ;; esac; return 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, /lib/modules, mknod)"
[ -x "$TOP/mkinitramfs" ] && [ -f "$TOP/init/init" ] &&
	[ -f "$TOP/tests/qemu/guest-init" ] || die "build first: make"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (tools/deps)"
ensure_kernel || die "no test kernel"

WORK=$(mktemp -d /tmp/initkit-bench-peers.XXXXXX)
if [ -n "${KEEP:-}" ]; then
	trap 'log "work directory kept: $WORK"' EXIT
else
	trap 'rm -rf "$WORK"' EXIT
fi

# ---------------------------------------------------------------- helpers

# run COMMAND... once; prints its wall-clock seconds; output to $WORK/gen.log
timeit() {
	local s e rc
	s=$(date +%s%N)
	"$@" >"$WORK/gen.log" 2>&1
	rc=$?
	e=$(date +%s%N)
	[ "$rc" -eq 0 ] || return "$rc"
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", (e - s) / 1e9 }'
}

# the end of a failed boot's log; for a kernel panic, what led to it
show_log() {
	local n
	n=$(grep -an -m1 'Kernel panic' "$1" | cut -d: -f1)
	if [ -n "$n" ]; then
		sed -n "$((n > 12 ? n - 12 : 1)),${n}p" "$1"
	else
		tail -15 "$1"
	fi | indent
}

indent() { sed -e 's/\x1b\[[0-9;]*[a-zA-Z]//g' -e 's/\r//g' -e 's/^/      | /'; }

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }

declare -A LABEL GEN SIZE KT IT OKB NGEN SLOW CMD
LABEL[floor]="floor (klcc init, exact modules)"
LABEL[ours]="ours -M virtio -M ext4"
LABEL[ours-generic]="ours generic (-M all modules.d/)"
LABEL[tiny]="tiny-initramfs (same modules)"
LABEL[it-list]="initramfs-tools MODULES=list"
LABEL[it-most]="initramfs-tools MODULES=most"
LABEL[dracut]="dracut --no-hostonly"
SLOW[it-most]=1 SLOW[dracut]=1

# ------------------------------------------------------- peers' packages
need=()
{ want it-list || want it-most; } && ! pkg_installed initramfs-tools-core && need+=(initramfs-tools-core)
want dracut && ! pkg_installed dracut-core && need+=(dracut-core)
want tiny && ! pkg_installed tiny-initramfs-core && need+=(tiny-initramfs-core)
if [ "${#need[@]}" -gt 0 ]; then
	log "installing ${need[*]} (once)"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -qq "${need[@]}" >"$WORK/apt.log" 2>&1; then
		apt-get update -qq >/dev/null 2>&1
		apt-get install -y -qq "${need[@]}" >"$WORK/apt.log" 2>&1 ||
			{ tail -20 "$WORK/apt.log" >&2; die "apt-get install ${need[*]} failed"; }
	fi
fi

# The peers read /lib/modules/$KVER (and initramfs-tools /boot/config-$KVER).
if want tiny || want it-list || want it-most || want dracut; then
	if [ ! -d "/lib/modules/$KVER" ]; then
		log "copying the test kernel's modules to /lib/modules/$KVER (left in place)"
		mkdir -p /lib/modules && cp -a "$KROOT/lib/modules/$KVER" "/lib/modules/$KVER" ||
			die "cannot copy the modules to /lib/modules/$KVER"
	fi
	if [ ! -f "/boot/config-$KVER" ]; then
		mkdir -p /boot && cp -a "$KROOT/boot/config-$KVER" "/boot/config-$KVER" ||
			die "cannot copy /boot/config-$KVER"
	fi
	depmod "$KVER" || die "depmod $KVER failed"
fi

# --------------------------------------------------- the module chain
# Our -M virtio -M ext4 image decides the module list the "same modules"
# peers and the floor get: modules.db's "m" lines, in load order.
"$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" -M virtio -M ext4 -o "$WORK/ours.img" \
	>/dev/null 2>&1 || die "our generator failed"
mkdir -p "$WORK/ours.x"
"$TOP/mkinitramfs" --extract "$WORK/ours.img" "$WORK/ours.x" >/dev/null ||
	die "cannot extract our image"
awk -F'\t' '$1 == "m" { print $2 }' "$WORK/ours.x/etc/initkit/modules.db" > "$WORK/mods"
awk -F'\t' '$1 == "m" { print $3 }' "$WORK/ours.x/etc/initkit/modules.db" > "$WORK/modpaths"
[ -s "$WORK/mods" ] || die "no modules in our image's modules.db"
MODS=$(paste -sd, "$WORK/mods")

# -------------------------------------------------- generator commands
GENERIC=()
for f in "$TOP"/modules.d/*; do GENERIC+=(-M "${f##*/}"); done

# initramfs-tools: private copies of /etc/initramfs-tools
mk_itconf() {	# DIR MODE
	rm -rf "$1" && cp -a /etc/initramfs-tools "$1" || return 1
	if grep -q '^MODULES=' "$1/initramfs.conf"; then
		sed -i "s/^MODULES=.*/MODULES=$2/" "$1/initramfs.conf"
	else
		echo "MODULES=$2" >> "$1/initramfs.conf"
	fi
}
if want it-list || want it-most; then
	[ -d /etc/initramfs-tools ] || die "/etc/initramfs-tools missing (initramfs-tools-core)"
	mk_itconf "$WORK/it-most.conf" most || die "cannot copy /etc/initramfs-tools"
	mk_itconf "$WORK/it-list.conf" list || die "cannot copy /etc/initramfs-tools"
	cp "$WORK/mods" "$WORK/it-list.conf/modules"
fi

# gen_cmd SYSTEM OUT: sets the array G to the command building OUT
gen_cmd() {
	case $1 in
	ours) G=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" -M virtio -M ext4 -o "$2") ;;
	ours-generic) G=("$TOP/mkinitramfs" -k "$KVER" -b "$KROOT" "${GENERIC[@]}" -o "$2") ;;
	tiny) G=(/usr/sbin/mktirfs -o "$2" --auto-modules=no --include-modules="$MODS" "$KVER") ;;
	it-list) G=(/usr/sbin/mkinitramfs -d "$WORK/it-list.conf" -o "$2" "$KVER") ;;
	it-most) G=(/usr/sbin/mkinitramfs -d "$WORK/it-most.conf" -o "$2" "$KVER") ;;
	dracut) G=(/usr/bin/dracut -q --force --no-hostonly --no-hostonly-cmdline --kver "$KVER" "$2") ;;
	esac
}

# ------------------------------------------------------------- the floor
# Only the unavoidable work: devtmpfs and proc, the exact module chain with
# finit_module, poll for /dev/vda every 10 ms, mount it read-only, move /dev
# and /proc into it (the root's init logs through /dev/kmsg), switch, exec.
# "Exact": a first boot finds the modules this machine cannot use (init
# fails with ENODEV: crc32c-intel on QEMU's CPU without SSE4.2), and the
# floor is built again without them.
build_floor() {
	build_floor_with "$WORK/modpaths" || return 1
	boot floor-calibrate 120 "$WORK/floor.img" "root=UUID=$ROOT_UUID" \
		-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
	init_to_token "$WORK/floor-calibrate.log" >/dev/null || {
		log "  the floor did not boot:"; show_log "$WORK/floor-calibrate.log"; return 1; }
	sed -n 's/.*floor: not for this machine: \([^ ]*\).*/\1/p' "$WORK/floor-calibrate.log" \
		| tr -d '\r' > "$WORK/floor.unusable"
	grep -vxF -f "$WORK/floor.unusable" "$WORK/modpaths" > "$WORK/floor.modpaths"
	[ -s "$WORK/floor.unusable" ] &&
		log "  the floor leaves out (no such device here): $(tr '\n' ' ' < "$WORK/floor.unusable")"
	build_floor_with "$WORK/floor.modpaths"
}

build_floor_with() {	# MODPATHS
	local d=$WORK/floor.d r=$WORK/floor.root p
	mkdir -p "$d" && cat > "$d/init.c" <<'EOF'
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

extern int finit_module(int fd, const char *params, int flags);

static void say(const char *a, const char *b)
{
	const char *e = strerror(errno);

	(void)!write(2, "floor: ", 7); (void)!write(2, a, strlen(a));
	(void)!write(2, " ", 1); (void)!write(2, b, strlen(b));
	(void)!write(2, ": ", 2); (void)!write(2, e, strlen(e));
	(void)!write(2, "\n", 1);
}

int main(void)
{
	static char list[8192];
	char *p, *nl;
	int fd, n;
	struct stat st;
	struct timeval t0, t;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	fd = open("/etc/modules.list", O_RDONLY);
	n = fd < 0 ? 0 : read(fd, list, sizeof(list) - 1);
	list[n > 0 ? n : 0] = '\0';
	for (p = list; *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		if (!*p)
			continue;
		fd = open(p, O_RDONLY);
		if (fd < 0) {
			say("module", p);
			continue;
		}
		if (finit_module(fd, "", 0) < 0) {
			/* ENODEV: no such hardware (crc32c-intel without SSE4.2) */
			if (errno == ENODEV) {
				(void)!write(2, "floor: not for this machine: ", 29);
				(void)!write(2, p, strlen(p));
				(void)!write(2, "\n", 1);
			} else if (errno != EEXIST) {
				say("module", p);
			}
		}
		close(fd);
	}
	gettimeofday(&t0, NULL);
	while (stat("/dev/vda", &st) < 0) {
		gettimeofday(&t, NULL);
		if (t.tv_sec - t0.tv_sec > 30) {
			say("waiting for", "/dev/vda");
			return 1;
		}
		nanosleep(&tick, NULL);
	}
	if (mount("/dev/vda", "/root", "ext4", MS_RDONLY, NULL) < 0) {
		say("mount", "/dev/vda");
		return 1;
	}
	mount("/dev", "/root/dev", NULL, MS_MOVE, NULL);
	mount("/proc", "/root/proc", NULL, MS_MOVE, NULL);
	if (chdir("/root") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0) {
		say("switch", "/root");
		return 1;
	}
	execl("/sbin/init", "init", (char *)0);
	say("exec", "/sbin/init");
	return 1;
}
EOF
	klcc -static -Os -o "$d/init" "$d/init.c" >"$d/cc.log" 2>&1 || { cat "$d/cc.log" >&2; return 1; }
	strip --strip-all "$d/init" || return 1
	rm -rf "$r" && mkdir -p "$r/dev" "$r/proc" "$r/root" "$r/etc" || return 1
	cp "$d/init" "$r/init" && mknod -m 600 "$r/dev/console" c 5 1 || return 1
	while IFS= read -r p; do
		mkdir -p "$r${p%/*}" && cp "$KROOT$p" "$r$p" || return 1
	done < "$1"
	cp "$1" "$r/etc/modules.list" || return 1
	(cd "$r" && find . | cpio --quiet -o -H newc -R 0:0 | gzip -9) > "$WORK/floor.img"
}

# ----------------------------------------------------------- header
printf 'kernel: %s (Debian linux-image-amd64), host: %d CPUs, QEMU TCG (%s)\n' \
	"$KVER" "$(nproc)" "$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')"
want tiny && printf 'tiny-initramfs-core %s\n' "$(pkg_version tiny-initramfs-core)"
{ want it-list || want it-most; } &&
	printf 'initramfs-tools-core %s (COMPRESS=%s as in /etc/initramfs-tools)\n' \
		"$(pkg_version initramfs-tools-core)" \
		"$(sed -n 's/^COMPRESS=//p' /etc/initramfs-tools/initramfs.conf | tail -1)"
want dracut && printf 'dracut-core %s, systemd %s\n' "$(pkg_version dracut-core)" \
	"$(pkg_installed systemd && pkg_version systemd || echo 'not installed')"
extras=""
for p in udev systemd mdadm lvm2 cryptsetup dmraid console-setup busybox pigz zstd; do
	pkg_installed "$p" && extras="$extras $p"
done
printf 'optional tools installed (the peers'"'"' hooks add what is present):%s\n' "${extras:- none}"
printf 'module chain (%d): %s\n' "$(wc -l < "$WORK/mods")" "$(tr '\n' ' ' < "$WORK/mods")"
printf 'boots: %s per system, root=UUID=%s on virtio-blk, 512 MB, console=ttyS0 panic=-1\n\n' \
	"$BOOTS" "$ROOT_UUID"

# ------------------------------------------------------- generation
mkdisk_ext4 "$WORK/root.img" || die "cannot make the root disk"
for s in $SYSTEMS; do
	out=$WORK/$s.img
	if [ "$s" = floor ]; then
		log "building the floor image"
		if build_floor; then GEN[$s]="-"; else GEN[$s]=FAIL; log "  the floor failed to build"; fi
		CMD[$s]="klcc init + find . | cpio -o -H newc | gzip -9"
	else
		n=$GENS
		[ -n "${SLOW[$s]:-}" ] && n=$GENS_SLOW
		gen_cmd "$s" "$out"
		CMD[$s]="${G[*]}"
		log "generating: ${LABEL[$s]} x $n"
		: > "$WORK/$s.gen"
		for i in $(seq "$n"); do
			if ! timeit "${G[@]}" >> "$WORK/$s.gen"; then
				printf '%s: generation FAILED: %s\n' "${LABEL[$s]}" "${G[*]}"
				tail -15 "$WORK/gen.log" | indent
				GEN[$s]=FAIL
				break
			fi
		done
		[ "${GEN[$s]:-}" = FAIL ] || GEN[$s]=$(median < "$WORK/$s.gen")
		NGEN[$s]=$n
	fi
	if [ "${GEN[$s]}" != FAIL ] && [ -s "$out" ]; then
		SIZE[$s]=$(stat -c %s "$out")
	else
		GEN[$s]=FAIL SIZE[$s]=FAIL
	fi
done

# ------------------------------------------------------------ boots
for s in $SYSTEMS; do : > "$WORK/$s.kt"; : > "$WORK/$s.it"; OKB[$s]=0; done
for r in $(seq "$BOOTS"); do	# interleaved: drift hits every system alike
	for s in $SYSTEMS; do
		[ "${SIZE[$s]}" = FAIL ] && continue
		limit=120
		[ -n "${SLOW[$s]:-}" ] || [ "$s" = it-list ] && limit=180
		log "boot $r/$BOOTS: ${LABEL[$s]}"
		boot "$s-$r" "$limit" "$WORK/$s.img" "root=UUID=$ROOT_UUID" \
			-drive "file=$WORK/root.img,if=virtio,format=raw,snapshot=on" >/dev/null 2>&1
		rc=$?
		logf=$WORK/$s-$r.log
		if k=$(kstart_to_token "$logf") && i=$(init_to_token "$logf"); then
			echo "$k" >> "$WORK/$s.kt"
			echo "$i" >> "$WORK/$s.it"
			OKB[$s]=$((OKB[$s] + 1))
		else
			if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="timed out after ${limit}s"
			elif grep -aq 'Kernel panic' "$logf"; then why="kernel panic; QEMU exited $rc"
			else why="QEMU exited $rc"; fi
			printf '%s: boot %d FAILED (%s, no %s line); the log ends:\n' \
				"${LABEL[$s]}" "$r" "$why" "$TOKEN"
			show_log "$logf"
		fi
	done
done
for s in $SYSTEMS; do
	KT[$s]=$(median < "$WORK/$s.kt") IT[$s]=$(median < "$WORK/$s.it")
	KT[$s]=${KT[$s]:-FAIL} IT[$s]=${IT[$s]:-FAIL}
	[ "${SIZE[$s]}" = FAIL ] && KT[$s]="-" IT[$s]="-"
done

# ------------------------------------------------------------ table
echo
printf '%-34s | %12s | %12s | %14s | %14s | %s\n' system "generation s" "image bytes" \
	"kernel->root s" "/init->root s" "boots ok"
printf -- '-%.0s' $(seq 110); echo
for s in $SYSTEMS; do
	g=${GEN[$s]}
	[ -n "${NGEN[$s]:-}" ] && [ "$g" != FAIL ] && g="$g (n=${NGEN[$s]})"
	printf '%-34s | %12s | %12s | %14s | %14s | %s/%s\n' "${LABEL[$s]}" "$g" "${SIZE[$s]}" \
		"${KT[$s]}" "${IT[$s]}" "${OKB[$s]}" "$BOOTS"
done
echo
echo "each boot (kernel start -> root's init / /init start -> root's init, s):"
for s in $SYSTEMS; do
	[ "${SIZE[$s]}" = FAIL ] && continue
	printf '  %-34s %s\n' "${LABEL[$s]}" \
		"$(paste -d/ "$WORK/$s.kt" "$WORK/$s.it" | tr '\n' ' ')"
done

# ----------------------------------------------------------- ratios
num() { case $1 in '' | *[!0-9.]* | .) return 1 ;; esac; }
# cmp WHAT PEER OURS MORE LESS: "peer/ours = Nx MORE" or "Nx LESS"
cmp() {
	if ! num "$2" || ! num "$3"; then printf '    %-26s n/a (%s vs %s)\n' "$1:" "$2" "$3"; return; fi
	awk -v w="$1" -v p="$2" -v o="$3" -v more="$4" -v less="$5" 'BEGIN {
		if (o == 0 || p == 0) { printf "    %-26s n/a\n", w ":"; exit }
		r = p / o
		if (r > 0.995 && r < 1.005) printf "    %-26s about the same (%s vs %s)\n", w ":", o, p
		else if (r >= 1) printf "    %-26s ours %.2fx %s (%s vs %s)\n", w ":", r, more, o, p
		else printf "    %-26s ours %.2fx %s (%s vs %s)\n", w ":", 1 / r, less, o, p }'
}
ratios() {	# PEER OURS
	local p=$1 o=$2
	printf '  %s vs %s\n' "${LABEL[$o]}" "${LABEL[$p]}"
	cmp "generation" "${GEN[$p]}" "${GEN[$o]}" "faster" "SLOWER"
	cmp "image size" "${SIZE[$p]}" "${SIZE[$o]}" "smaller" "LARGER"
	cmp "kernel start->root init" "${KT[$p]}" "${KT[$o]}" "sooner" "LATER"
	cmp "/init start->root init" "${IT[$p]}" "${IT[$o]}" "faster" "SLOWER"
}
echo
echo "ratios (peer / ours; \"ours Nx faster\" means the peer takes N times as long):"
for p in tiny it-list it-most dracut; do
	want "$p" && ratios "$p" ours
done
for p in it-most dracut; do	# the generic peers against our generic image too
	want "$p" && want ours-generic && ratios "$p" ours-generic
done
# quot WHAT A B: A / B, both shown
quot() {
	if ! num "$2" || ! num "$3"; then printf '    %-26s n/a (%s vs %s)\n' "$1:" "$2" "$3"; return; fi
	awk -v w="$1" -v a="$2" -v b="$3" 'BEGIN {
		if (b == 0) printf "    %-26s n/a\n", w ":"
		else if (a == int(a) && b == int(b)) printf "    %-26s %.2fx (%s vs %s, %+d)\n", w ":", a / b, a, b, a - b
		else printf "    %-26s %.2fx (%s vs %s, %+.3f s)\n", w ":", a / b, a, b, a - b }'
}
if want ours-generic; then
	echo "  ours generic vs ours -M virtio -M ext4 (generic / small)"
	quot "kernel start->root init" "${KT[ours-generic]}" "${KT[ours]}"
	quot "/init start->root init" "${IT[ours-generic]}" "${IT[ours]}"
fi
if want floor; then
	echo "  ours -M virtio -M ext4 vs the floor (ours / floor)"
	quot "/init start->root init" "${IT[ours]}" "${IT[floor]}"
	quot "kernel start->root init" "${KT[ours]}" "${KT[floor]}"
	quot "image size" "${SIZE[ours]}" "${SIZE[floor]}"
fi
echo
echo "commands:"
for s in $SYSTEMS; do
	printf '  %-34s %s\n' "${LABEL[$s]}" "${CMD[$s]//$WORK/\$WORK}"
done

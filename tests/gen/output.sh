#!/bin/bash
# tests/gen/output.sh - the generator's output path, temporary files and
# input paths, on paths that others can write: a FIFO or device given or
# planted where a file is expected never hangs or breaks a run, other
# users' files are never removed, concurrent runs to one OUTPUT all
# succeed, and every bad input names its cause, before anything is built,
# and leaves the previous image byte for byte.  Prints "ok NAME" /
# "not ok NAME".
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok out-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-out.XXXXXX)
STICKY=$(mktemp -d /tmp/initkit-sticky.XXXXXX)
chmod 1777 "$STICKY"
trap 'jobs -p | xargs -r kill 2>/dev/null; rm -rf "$WORK" "$STICKY"' EXIT
MK="$TOP/mkinitramfs"
GEN=(-k "$KVER" -b "$KROOT")
LIMIT=20	# seconds: a run that takes longer is hanging

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
mk() { timeout -k 2 "$LIMIT" "$MK" "$@"; }	# 124: hung

"$MK" "${GEN[@]}" -M virtio -o "$WORK/keep.img" || { notok out-reference-image; exit 0; }
"$MK" "${GEN[@]}" -m dummy -o "$WORK/small.img" || { notok out-reference-image; exit 0; }

# --- bad inputs: clear error, previous image untouched, no temp left ---
# expect_fail NAME RC PATTERN ARGS...: fails with exit status RC (any
# non-zero if RC is -), a message matching PATTERN, within LIMIT seconds
expect_fail() {
	local name=$1 want=$2 pat=$3 rc; shift 3
	cp "$WORK/keep.img" "$WORK/out.img"
	mk "$@" -o "$WORK/out.img" >"$WORK/err" 2>&1; rc=$?
	if [ $rc -eq 0 ]; then notok "$name" "succeeded"; return; fi
	if [ $rc -eq 124 ]; then notok "$name" "hung (killed after $LIMIT s)"; return; fi
	if [ "$want" != - ] && [ $rc -ne "$want" ]; then
		notok "$name" "exit status $rc, not $want: $(head -1 "$WORK/err")"; return
	fi
	if ! grep -qE -- "$pat" "$WORK/err"; then
		notok "$name" "message: $(head -2 "$WORK/err" | tr '\n' ' ')"; return
	fi
	if ! cmp -s "$WORK/keep.img" "$WORK/out.img"; then
		notok "$name" "previous image changed"; return
	fi
	if ls -A "$WORK" | grep -q '^\.out\.img\.'; then
		notok "$name" "temporary file left behind"; return
	fi
	ok "$name"
}

mkfifo "$WORK/fifo"
mkdir "$WORK/dir"

# --- OUTPUT must be a regular file (or absent) ---
# bad_output NAME PATTERN OUTPUT [ARGS...]: refused with PATTERN; OUTPUT's
# type, and the file a symbolic link points to, unchanged
bad_output() {
	local name=$1 pat=$2 out=$3 before after rc; shift 3
	before=$(stat -c '%F %t:%T %N' "$out" 2>&1)
	mk "${GEN[@]}" -M virtio "$@" -o "$out" >"$WORK/err" 2>&1; rc=$?
	after=$(stat -c '%F %t:%T %N' "$out" 2>&1)
	if [ $rc -eq 0 ]; then notok "$name" "succeeded"
	elif [ $rc -eq 124 ]; then notok "$name" "hung"
	elif [ "$before" != "$after" ]; then notok "$name" "replaced: $before -> $after"
	elif ! grep -qE -- "$pat" "$WORK/err"; then notok "$name" "message: $(head -2 "$WORK/err" | tr '\n' ' ')"
	elif ls -A "$(dirname "$out")" 2>/dev/null | grep -qF ".$(basename "$out")."; then notok "$name" "temporary file left"
	else ok "$name"
	fi
}
mknod "$WORK/devfull" c 1 7	# /dev/full, in our scratch directory
mknod "$WORK/devnull" c 1 3
bad_output out-refuse-chardev "$WORK/devfull is a character device: name a regular file" "$WORK/devfull"
bad_output out-refuse-devnull "$WORK/devnull is a character device" "$WORK/devnull"
bad_output out-refuse-fifo "$WORK/fifo is a FIFO" "$WORK/fifo"
ln -s /proc/self/fd/1 "$WORK/stdout"
bad_output out-refuse-symlink-to-fd "$WORK/stdout is a symbolic link" "$WORK/stdout"
cp "$WORK/keep.img" "$WORK/target.img"
ln -s target.img "$WORK/link.img"
bad_output out-refuse-symlink-to-file "$WORK/link.img is a symbolic link" "$WORK/link.img"
check out-symlink-target-untouched cmp "$WORK/keep.img" "$WORK/target.img"
bad_output out-refuse-dir "$WORK/dir is a directory" "$WORK/dir"
bad_output out-dir-slash "$WORK/dir/ ends in '/'" "$WORK/dir/"
bad_output out-missing-dir "directory $WORK/nodir does not exist" "$WORK/nodir/out.img"
bad_output out-dir-not-a-dir "$WORK/keep.img is not a directory" "$WORK/keep.img/out.img"
cp "$WORK/keep.img" "$WORK/bk.img"
mkfifo "$WORK/bk.img.bak"
bad_output out-refuse-backup-fifo "bk.img.bak, which is a FIFO" "$WORK/bk.img" --backup
check out-refuse-backup-fifo-kept cmp "$WORK/keep.img" "$WORK/bk.img"

# --- stale temporary files in a shared (sticky) directory ---
# another user's FIFO and file with our temporary names: never opened,
# never removed; ours: removed when no live run holds them
cp "$WORK/keep.img" "$STICKY/out.img"
as_nobody mkfifo "$STICKY/.out.img.AAAAAA"
as_nobody sh -c "umask 077; echo theirs > '$STICKY/.out.img.BBBBBB'"
mkfifo -m 600 "$STICKY/.out.img.CCCCCC"	# ours, but a FIFO
ln -s /etc/hostname "$STICKY/.out.img.DDDDDD"	# ours, but a symlink
(umask 077; echo stale > "$STICKY/.out.img.EEEEEE")	# a killed run's
echo mine > "$STICKY/.out.img.notmp1"; chmod 644 "$STICKY/.out.img.notmp1"	# not a temp of ours
(umask 077; : > "$STICKY/.out.img.LLLLLL")
flock "$STICKY/.out.img.LLLLLL" sleep 60 &	# a live run's
flock_pid=$!
sleep 0.2
mk "${GEN[@]}" -M virtio -o "$STICKY/out.img" >"$WORK/err" 2>&1; rc=$?
check out-stale-fifo-no-hang sh -c "test $rc -eq 0 || { echo exit $rc; cat '$WORK/err'; exit 1; }"
check out-stale-other-users-fifo-kept test -p "$STICKY/.out.img.AAAAAA"
check out-stale-other-users-file-kept test "$(cat "$STICKY/.out.img.BBBBBB" 2>&1)" = theirs
check out-stale-own-fifo-kept test -p "$STICKY/.out.img.CCCCCC"
check out-stale-own-symlink-kept test -L "$STICKY/.out.img.DDDDDD"
check out-stale-own-temp-removed test ! -e "$STICKY/.out.img.EEEEEE"
check out-stale-not-a-temp-kept test -e "$STICKY/.out.img.notmp1"
check out-stale-locked-temp-kept test -e "$STICKY/.out.img.LLLLLL"
kill $flock_pid 2>/dev/null; wait $flock_pid 2>/dev/null
check out-stale-run-wrote-image "$MK" --list "$STICKY/out.img"

# --- concurrent runs to one OUTPUT: all succeed, the last rename wins,
# nothing left behind (a kernel hook and a manual run) ---
# pairs NAME N ARGS...: N pairs of concurrent runs (the same build, so
# that they commit at the same moment), after a run of another build
pairs() {
	local name=$1 n=$2 i fails="" a b ra rb; shift 2
	local C=$WORK/conc
	rm -rf "$C"; mkdir "$C"
	for i in $(seq 1 "$n"); do
		cp "$WORK/small.img" "$C/out.img"
		mk "${GEN[@]}" -M virtio "$@" -o "$C/out.img" >"$C/a.err" 2>&1 & a=$!
		mk "${GEN[@]}" -M virtio "$@" -o "$C/out.img" >"$C/b.err" 2>&1 & b=$!
		wait $a; ra=$?
		wait $b; rb=$?
		[ $ra -eq 0 ] || fails="$fails $i:a:$(head -c 120 "$C/a.err")"
		[ $rb -eq 0 ] || fails="$fails $i:b:$(head -c 120 "$C/b.err")"
		cmp -s "$C/out.img" "$WORK/keep.img" || fails="$fails $i:image-incomplete"
		if [ -e "$C/out.img.bak" ]; then
			cmp -s "$C/out.img.bak" "$WORK/keep.img" || cmp -s "$C/out.img.bak" "$WORK/small.img" ||
				fails="$fails $i:backup-neither"
		fi
	done
	left=$(ls -A "$C" | grep -vxE 'out\.img|out\.img\.bak|[ab]\.err' | tr '\n' ' ')
	[ -z "$left" ] || fails="$fails left:$left"
	if [ -z "$fails" ]; then ok "$name"; else notok "$name" "$(head -c 400 <<<"$fails")"; fi
}
start=$SECONDS
pairs out-concurrent-pairs 25
pairs out-concurrent-pairs-backup 25 --backup
check "out-concurrent-under-30s-took-$((SECONDS - start))s" test $((SECONDS - start)) -le 30

# --- options: each bad one named before anything is built ---
expect_fail out-empty-kver 2 "-k: empty kernel version" -k "" -b "$KROOT" -M virtio
expect_fail out-kver-dotdot 2 "-k \.\./modules/$KVER: .*kernel version" -k "../modules/$KVER" -b "$KROOT" -M virtio
expect_fail out-kver-slash 2 "-k $KVER/\.\.: .*kernel version" -k "$KVER/.." -b "$KROOT" -M virtio
expect_fail out-kver-dot 2 "-k \.: .*kernel version" -k . -b "$KROOT" -M virtio
expect_fail out-install-dir 1 "-I $WORK/dir: .*a directory" "${GEN[@]}" -I "$WORK/dir"
expect_fail out-install-fifo 1 "-I $WORK/fifo: .*a FIFO" "${GEN[@]}" -I "$WORK/fifo"
expect_fail out-install-empty 2 "-I: empty path" "${GEN[@]}" -I ""
expect_fail out-config-fifo 1 "$WORK/fifo: .*a FIFO" "${GEN[@]}" -C "$WORK/fifo"
expect_fail out-config-dir 1 "$WORK/dir: .*a directory" "${GEN[@]}" -C "$WORK/dir"
expect_fail out-config-empty 2 "-C: empty path" "${GEN[@]}" -C ""
expect_fail out-hook-fifo 1 "-H $WORK/fifo: .*a FIFO" "${GEN[@]}" -H "$WORK/fifo"
expect_fail out-hook-dir 1 "-H /tmp: .*a directory" "${GEN[@]}" -H /tmp
expect_fail out-hook-empty 2 "-H: empty hook name" "${GEN[@]}" -H ""
# checked before the modules are resolved: the -H message comes, not the module's
expect_fail out-hook-before-build 1 "-H $WORK/fifo" "${GEN[@]}" -m no_such_mod -H "$WORK/fifo"
# before anything is built: the OUTPUT's message comes, not the module's
bad_output out-checked-before-build "$WORK/devfull is a character device" "$WORK/devfull" -m no_such_mod
bad_output out-slash-checked-before-build "$WORK/dir/ ends in '/'" "$WORK/dir/" -m no_such_mod

# usage errors exit 2, as mkinitramfs(8) says
# one argument after the options is initramfs-tools' VERSION; a second is not
expect_fail out-usage-unexpected-arg 2 "unexpected argument 'extra'" "${GEN[@]}" "$KVER" extra
expect_fail out-usage-version-twice 2 "kernel version given twice: -k $KVER and other" "${GEN[@]}" other
expect_fail out-usage-threads 2 "threads 0: the number of threads goes from 1 to 64" "${GEN[@]}" --threads 0
expect_fail out-usage-compress 2 "-c brotli" "${GEN[@]}" -c brotli
expect_fail out-usage-level 2 "gzip level" "${GEN[@]}" -l 99
expect_fail out-usage-cpio-front 2 "cpio-front goes with --format image" "${GEN[@]}" --cpio-front
: > "$WORK/empty.conf"
mk "${GEN[@]}" -C "$WORK/empty.conf" >"$WORK/err" 2>&1; rc=$?
check out-usage-no-output sh -c "test $rc -eq 2 || { echo exit $rc; exit 1; }"
mk -o "" "${GEN[@]}" >"$WORK/err" 2>&1; rc=$?
check out-empty-output sh -c "test $rc -eq 2 && grep -q -- '-o: empty path' '$WORK/err' ||
	{ echo exit $rc; cat '$WORK/err'; exit 1; }"

# a module that is a FIFO in the module tree: named, not waited on (a
# tree of links to the test kernel's, with kernel/fs/ext4/ext4.ko a FIFO)
U=$WORK/fifomod
link_tree() {	# link_tree SRC DST SUBPATH: DST mirrors SRC by links, except down SUBPATH
	local src=$1 dst=$2 sub=$3 first=${3%%/*} f
	mkdir -p "$dst"
	for f in "$src"/*; do [ "$(basename "$f")" = "$first" ] || ln -s "$f" "$dst/"; done
	if [ "$first" != "$sub" ]; then link_tree "$src/$first" "$dst/$first" "${sub#*/}"; fi
}
link_tree "$KROOT/lib/modules/$KVER" "$U/lib/modules/$KVER" kernel/fs/ext4/ext4.ko
mkfifo "$U/lib/modules/$KVER/kernel/fs/ext4/ext4.ko"
expect_fail out-module-fifo 1 "module ext4: .*kernel/fs/ext4/ext4.ko is a FIFO" -k "$KVER" -b "$U" -M ext4

# the man page stays clean mdoc
check out-man-lint mandoc -Tlint -W warning "$TOP/man/mkinitramfs.8"

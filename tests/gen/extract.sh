#!/bin/bash
# tests/gen/extract.sh - mkinitramfs --list and --extract on hostile and
# careless images, crafted byte for byte by tests/gen/newc.py: inputs that are
# not files, images cut while being read, hard links to what the image
# swapped in, names with control characters.  Needs no kernel tree.
# Prints "ok NAME" / "not ok NAME: why" per test.
set -u
. "$(dirname "$0")/../lib.sh"
WORK=$(mktemp -d /tmp/initkit-extract.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK="$TOP/mkinitramfs"
ESC=$(printf '\033')

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}
# img NAME: an image from the newc.py spec on standard input, as $WORK/NAME
img() { python3 "$TOP/tests/gen/newc.py" "$WORK/$1"; }
# fresh NAME: an empty extraction directory $WORK/NAME
fresh() { rm -rf "${WORK:?}/$1" && mkdir "$WORK/$1"; }
# fails NAME PATTERN CMD...: CMD exits 1 within 10 s, stderr matches PATTERN
fails() {
	local name=$1 pat=$2 rc; shift 2
	timeout 10 "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?
	if [ "$rc" -eq 124 ]; then notok "$name" "still running after 10 s"
	elif [ "$rc" -ne 1 ]; then notok "$name" "exit $rc: $(head -c 300 "$WORK/err")"
	elif ! grep -qE -- "$pat" "$WORK/err"; then notok "$name" "message: $(head -c 300 "$WORK/err")"
	else ok "$name"
	fi
}

[ -x "$MK" ] || { notok extract-built "no $MK: run make first"; exit 0; }


# --- control characters never reach the terminal raw ---
img "ctl${ESC}]0;x.img" <<'EOF'
f "ok"
s "sock\x1b[31mred"
f "a/../\x1b[2Jbad"
EOF
fresh ctl
"$MK" --extract "$WORK/ctl${ESC}]0;x.img" "$WORK/ctl" 2>"$WORK/err"
if grep -q "$ESC" "$WORK/err"; then notok extract-messages-escaped "$(od -c "$WORK/err" | head -5 | tr '\n' ' ')"
elif ! grep -qF "skipped socket 'sock\\033[31mred'" "$WORK/err" || ! grep -qF "'a/../\\033[2Jbad': '..' in the name" "$WORK/err" ||
     ! grep -qF "ctl\\033]0;x.img" "$WORK/err"; then
	notok extract-messages-escaped "$(cat "$WORK/err")"
else ok extract-messages-escaped
fi
"$MK" --list "$WORK/no${ESC}[31mfile" 2>"$WORK/err"
if grep -q "$ESC" "$WORK/err" || ! grep -qF 'no\033[31mfile' "$WORK/err"; then
	notok list-path-escaped "$(od -c "$WORK/err" | head -3 | tr '\n' ' ')"
else ok list-path-escaped
fi
img one.img <<'EOF'
f one data=1
EOF
"$MK" --extract "$WORK/one.img" "$WORK/no${ESC}[31mdir" 2>"$WORK/err"
if grep -q "$ESC" "$WORK/err" || ! grep -qF 'no\033[31mdir' "$WORK/err"; then
	notok extract-dir-escaped "$(od -c "$WORK/err" | head -3 | tr '\n' ' ')"
else ok extract-dir-escaped
fi
img names.img <<'EOF'
f "caf\xc3\xa9"
f "c1\xc2\x9b"
f "bad\xff"
EOF
"$MK" --list "$WORK/names.img" > "$WORK/names.list" 2>&1
check list-names-escaped sh -c "grep -q ' café\$' '$WORK/names.list' && grep -qF ' c1\\302\\233' '$WORK/names.list' &&
	grep -qF ' bad\\377' '$WORK/names.list'"

# --- inputs that are not files ---
mkfifo "$WORK/fifo"
img small.img <<'EOF'
f one data=1
EOF
fails list-fifo "fifo: a FIFO, not an image file" "$MK" --list "$WORK/fifo"
fails extract-fifo "fifo: a FIFO, not an image file" "$MK" --extract "$WORK/fifo" "$WORK"
fails list-char-device "/dev/zero: a character device, not an image file" "$MK" --list /dev/zero
fails extract-into-fifo "fifo: Not a directory" "$MK" --extract "$WORK/small.img" "$WORK/fifo"
fails list-directory "$WORK: a directory, not an image file" "$MK" --list "$WORK"

# --- an image cut while --list reads it ---
# 40000 entries: the listing fills the pipe long before the walk is done;
# the image is cut to nothing once the first line is out.  A reader that
# maps the file dies of SIGBUS (exit 135).
img cut.img <<'EOF'
repeat 40000 f file-{i} data=0123456789abcdef
trailer
EOF
cp "$WORK/cut.img" "$WORK/cut2.img"
{ "$MK" --list "$WORK/cut2.img" 2>"$WORK/err"; echo $? > "$WORK/rc"; } |
	{ IFS= read -r first; : > "$WORK/cut2.img"; cat > "$WORK/cut.list"; }
rc=$(cat "$WORK/rc")
if [ "$rc" -ne 0 ] && ! grep -q "cut2.img" "$WORK/err"; then
	notok list-image-cut-while-read "exit $rc: $(head -c 200 "$WORK/err")"
elif [ "$rc" -eq 0 ] && [ "$(wc -l < "$WORK/cut.list")" -ne 39999 ]; then
	notok list-image-cut-while-read "listed $(wc -l < "$WORK/cut.list") + 1 lines of 40000"
else
	ok list-image-cut-while-read
fi
# a file whose size is not what reading gives: a sysfs attribute says
# 4096 bytes and holds a few; a procfs file says 0 and holds more
for f in /sys/kernel/uevent_seqnum /proc/self/stat; do
	[ -f "$f" ] || { ok "list-size-changes-$(basename "$f") # skipped: no $f"; continue; }
	fails "list-size-changes-$(basename "$f")" "$f: its size changed while it was read" "$MK" --list "$f"
done

# --- empty images ---
: > "$WORK/empty.img"
head -c 4096 /dev/zero > "$WORK/nul.img"
fails list-empty-image "no cpio archive found in $WORK/empty.img: the file is empty" "$MK" --list "$WORK/empty.img"
fails list-all-padding "no cpio archive found in $WORK/nul.img: its 4096 bytes are all NUL padding" "$MK" --list "$WORK/nul.img"
fresh e
fails extract-empty-image "no cpio archive found in $WORK/empty.img" "$MK" --extract "$WORK/empty.img" "$WORK/e"
img trailer-only.img <<'EOF'
trailer
EOF
check list-trailer-only "$MK" --list "$WORK/trailer-only.img"

# --- a hard link to what a later entry put in its first name's place ---
# a (a file, nlink 2), then a device or FIFO named a, then b (ino of the
# first a): b must not become that node, and nothing is opened for writing
# that the extraction did not make as a regular file (strace -yy shows a
# device's numbers behind each file descriptor).
img swap-dev.img <<'EOF'
f a nlink=2 ino=11 data=first
c a 1:3
f b nlink=2 ino=11 data=x
trailer
EOF
if [ "$(id -u)" -ne 0 ]; then
	ok "extract-hardlink-to-device # skipped: device nodes are made by root only"
elif ! command -v strace >/dev/null; then
	notok extract-hardlink-to-device "no strace (tools/deps installs it)"
else
	fresh swap-dev
	strace -f -qq -yy -e trace=open,openat,openat2 -o "$WORK/swap.trace" \
		"$MK" --extract "$WORK/swap-dev.img" "$WORK/swap-dev" 2>"$WORK/err"
	rc=$?
	opened=$(grep -E 'O_(WRONLY|RDWR).*= [0-9]+<.*<(char|block) [0-9]+:[0-9]+>' "$WORK/swap.trace")
	if [ -n "$opened" ]; then notok extract-hardlink-to-device "opened a device to write: $opened"
	elif [ "$rc" -ne 1 ]; then notok extract-hardlink-to-device "exit $rc"
	elif [ -e "$WORK/swap-dev/b" ] || [ -L "$WORK/swap-dev/b" ]; then
		notok extract-hardlink-to-device "b was made: $(ls -l "$WORK/swap-dev/b")"
	elif ! grep -q "'b': hard link to 'a'" "$WORK/err"; then
		notok extract-hardlink-to-device "message: $(cat "$WORK/err")"
	else ok extract-hardlink-to-device
	fi
fi
img swap-fifo.img <<'EOF'
f a nlink=2 ino=11 data=first
p a
f b nlink=2 ino=11 data=x
EOF
fresh swap-fifo
fails extract-hardlink-to-fifo "'b': hard link to 'a'" "$MK" --extract "$WORK/swap-fifo.img" "$WORK/swap-fifo"
check extract-hardlink-to-fifo-not-made test ! -e "$WORK/swap-fifo/b" -a ! -L "$WORK/swap-fifo/b"
img swap-link.img <<'EOF'
f a nlink=2 ino=11 data=first
l a /etc/passwd
f b nlink=2 ino=11 data=x
EOF
fresh swap-link
fails extract-hardlink-to-symlink "'b': hard link to 'a'" "$MK" --extract "$WORK/swap-link.img" "$WORK/swap-link"
check extract-hardlink-to-symlink-not-made test ! -e "$WORK/swap-link/b" -a ! -L "$WORK/swap-link/b"
# the first name replaced by another file of the image: not the same file
img swap-file.img <<'EOF'
f a nlink=2 ino=11 data=first
f a ino=12 data=second
f b nlink=2 ino=11 data=x
EOF
fresh swap-file
fails extract-hardlink-to-replaced-file "'b': hard link to 'a'" "$MK" --extract "$WORK/swap-file.img" "$WORK/swap-file"
check extract-replaced-file-kept test "$(cat "$WORK/swap-file/a")" = second
# hard links done right still work: data on the last name, as GNU cpio writes
img links.img <<'EOF'
d d
f a nlink=3 ino=11 mode=444
f d/b nlink=3 ino=11 mode=444
f c nlink=3 ino=11 mode=444 data=shared
EOF
fresh links
check extract-hardlinks "$MK" --extract "$WORK/links.img" "$WORK/links"
check extract-hardlinks-one-file test "$(stat -c '%h %i %a' "$WORK/links/a")" = "$(stat -c '%h %i %a' "$WORK/links/c")" \
	-a "$(stat -c '%h %a' "$WORK/links/d/b")" = "3 444" -a "$(cat "$WORK/links/a")" = shared
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	# the same as a user: read-only files of the set are reopened to write
	fresh links-user
	chown 65534:65534 "$WORK/links-user"
	chmod 755 "$WORK"
	check extract-hardlinks-as-user setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$MK" --extract "$WORK/links.img" "$WORK/links-user"
	check extract-hardlinks-as-user-data test "$(cat "$WORK/links-user/a")" = shared
	chmod 700 "$WORK"
fi

# --- hard links: a lookup per entry, not a scan ---
# 60000 files named f one after the other, each a new inode with nlink 2:
# 60000 lookups in a table of up to 60000 sets.  Its user CPU time is
# compared with the same entries with nlink 1 (no table): the syscalls
# are the same, the lookups must not add much (a scan added 1.5 s).
img many-links.img <<'EOF'
repeat 60000 f f nlink=2 ino={i}
EOF
img many-files.img <<'EOF'
repeat 60000 f f ino={i}
EOF
user_time() {	# user CPU seconds of mkinitramfs --extract IMAGE, into a fresh dir
	fresh many
	TIMEFORMAT=%U
	{ time "$MK" --extract "$1" "$WORK/many" 2>>"$WORK/err" >/dev/null; } 2>&1
	unset TIMEFORMAT
}
: > "$WORK/err"
t1=$(user_time "$WORK/many-files.img")
t2=$(user_time "$WORK/many-links.img")
if [ -s "$WORK/err" ]; then notok extract-many-hardlinks-fast "$(head -c 200 "$WORK/err")"
elif awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > 2 * a + 0.3) }'; then
	notok extract-many-hardlinks-fast "$t2 s of user CPU time for 60000 hard-link entries, $t1 s without links"
else ok extract-many-hardlinks-fast
fi

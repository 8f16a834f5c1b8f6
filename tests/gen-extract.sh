#!/bin/bash
# tests/gen-extract.sh - mkinitramfs --list and --extract on hostile and
# careless images, crafted byte for byte by tests/newc.py: inputs that are
# not files, images cut while being read, hard links to what the image
# swapped in, names with control characters.  Needs no kernel tree.
# Prints "ok NAME" / "not ok NAME: why" per test.
set -u
. "$(dirname "$0")/lib.sh"
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
img() { python3 "$TOP/tests/newc.py" "$WORK/$1"; }
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

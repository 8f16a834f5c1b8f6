#!/bin/bash
# tests/gen/hooks.sh - the build-hook language, module-set files and option
# parsing of the generator: programs run without a shell, paths in the image
# normalised, no silent limits, the last flag wins, numbers range-checked,
# comments only at the start of a line, control characters escaped in
# messages.  Every bad input must name its cause and leave the previous
# image byte for byte.  Prints "ok NAME" / "not ok NAME".
set -u
. "$(dirname "$0")/../lib.sh"
ensure_kernel || { echo "not ok gen-hooks-kernel-available"; exit 0; }
WORK=$(mktemp -d /tmp/initkit-hooks.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MK=${MK:-$TOP/mkinitramfs}	# MK=/path/to/an/older/mkinitramfs to compare
GEN=(-k "$KVER" -b "$KROOT" -d "$TOP" -i "$TOP/init/init")
ESC=$(printf '\033')

ok() { echo "ok $1"; }
notok() { echo "not ok $1${2:+: $2}"; }
check() {	# check NAME COMMAND...: ok if the command succeeds
	local name=$1; shift
	if "$@" >"$WORK/out" 2>&1; then ok "$name"; else notok "$name" "$(tail -3 "$WORK/out" | tr '\n' ' ')"; fi
}

"$MK" "${GEN[@]}" -o "$WORK/keep.img" 2>"$WORK/keep.err" ||
	{ notok gen-hooks-base-image "$(head -2 "$WORK/keep.err")"; exit 0; }

# expect_fail NAME PATTERN ARGS...: the run fails, its message matches the
# extended regular expression PATTERN and holds no raw escape character,
# the previous image is untouched and no temporary file is left
expect_fail() {
	local name=$1 pat=$2; shift 2
	cp "$WORK/keep.img" "$WORK/out.img"
	if "$MK" "$@" -o "$WORK/out.img" >"$WORK/err" 2>&1 </dev/null; then
		notok "$name" "succeeded"; return
	fi
	if ! grep -qE -- "$pat" "$WORK/err"; then
		notok "$name" "message: $(head -2 "$WORK/err" | cat -v)"; return
	fi
	if grep -q "$ESC" "$WORK/err"; then
		notok "$name" "raw escape character in: $(head -2 "$WORK/err" | cat -v)"; return
	fi
	if ! cmp -s "$WORK/keep.img" "$WORK/out.img"; then
		notok "$name" "previous image changed"; return
	fi
	if ls -A "$WORK" | grep -q '^\.out\.img\.'; then
		notok "$name" "temporary file left behind"; return
	fi
	ok "$name"
}

# hook NAME LINE...: write the hook file $WORK/NAME
hook() {
	local f=$WORK/$1; shift
	printf '%s\n' "$@" > "$f"
}

# build NAME ARGS...: an image $WORK/NAME.img and its listing $WORK/NAME.list
build() {
	local n=$1; shift
	"$MK" "${GEN[@]}" "$@" -o "$WORK/$n.img" >"$WORK/$n.err" 2>&1 </dev/null &&
		"$MK" --list "$WORK/$n.img" > "$WORK/$n.list" 2>/dev/null
}
listed() {	# listed NAME PATTERN: an entry of $WORK/NAME.list matches (ERE)
	grep -qE -- "$2" "$WORK/$1.list"
}

# ---- 1. programs run without a shell ----------------------------------------
BB=/bin/busybox
if [ -x "$BB" ]; then
	# a file name that a shell would run as commands
	evil="$WORK/bb';touch\${IFS}INJECTED;'"
	cp "$BB" "$evil"
	hook inj "applets $evil /bin/busybox"
	(cd "$WORK" && "$MK" "${GEN[@]}" -H "$WORK/inj" -o "$WORK/inj.img" >"$WORK/inj.err" 2>&1 </dev/null)
	if [ -e "$WORK/INJECTED" ]; then
		notok gen-hooks-applets-no-shell "a shell ran the name: INJECTED was created"
	elif ! "$MK" --list "$WORK/inj.img" 2>/dev/null | grep -q ' bin/sh -> /bin/busybox$'; then
		notok gen-hooks-applets-no-shell "no applet links: $(head -2 "$WORK/inj.err")"
	else
		ok gen-hooks-applets-no-shell
	fi
else
	notok gen-hooks-applets-no-shell "no $BB (apt-get install busybox-static)"
fi

# BusyBox's own linuxrc applet never takes the place of our init
if [ -x "$BB" ] && "$MK" "${GEN[@]}" -H busybox --format image -o "$WORK/bbimg.img" 2>/dev/null && zcat "$WORK/bbimg.img" > "$WORK/bbimg.raw" &&
   debugfs -R 'cat /linuxrc' "$WORK/bbimg.raw" 2>/dev/null | cmp -s - "$TOP/init/init"; then
	ok gen-hooks-busybox-keeps-our-linuxrc
else
	notok gen-hooks-busybox-keeps-our-linuxrc "$(debugfs -R 'stat /linuxrc' "$WORK/bbimg.raw" 2>/dev/null | head -1)"
fi

# the program's stdin is /dev/null, not ours
cat > "$WORK/readsin" <<'EOT'
#!/bin/sh
read -r x && echo "bin/$x"
echo bin/fromprog
EOT
chmod 755 "$WORK/readsin"
hook sin "applets $WORK/readsin /bin/busybox"
echo stolen | "$MK" "${GEN[@]}" -H "$WORK/sin" -o "$WORK/sin.img" >"$WORK/sin.err" 2>&1
"$MK" --list "$WORK/sin.img" > "$WORK/sin.list" 2>/dev/null
if grep -q ' bin/stolen ' "$WORK/sin.list"; then
	notok gen-hooks-applets-stdin-devnull "the program read our stdin"
elif ! grep -q ' bin/fromprog -> /bin/busybox$' "$WORK/sin.list"; then
	notok gen-hooks-applets-stdin-devnull "$(head -2 "$WORK/sin.err")"
else
	ok gen-hooks-applets-stdin-devnull
fi

# a failing program: named, with the hook line, its status and its stderr
printf '#!/bin/sh\necho "bad option$(printf "\\033")[31m" >&2\nexit 3\n' > "$WORK/failing"
chmod 755 "$WORK/failing"
hook fail "# a comment" "applets $WORK/failing /bin/busybox"
expect_fail gen-hooks-applets-program-fails \
	"fail:2: $WORK/failing --list-full exited with status 3.*bad option\\\\x1b\\[31m" \
	"${GEN[@]}" -H "$WORK/fail"
printf '#!/bin/sh\necho ../../etc/evil\n' > "$WORK/climber"
chmod 755 "$WORK/climber"
hook climbs "applets $WORK/climber /bin/busybox"
expect_fail gen-hooks-applets-dotdot "climbs:1: .*climber --list-full: line 1: '../../etc/evil' .*'\\.\\.'" \
	"${GEN[@]}" -H "$WORK/climbs"
hook noexec "applets $WORK/readsin.none /bin/busybox"
expect_fail gen-hooks-applets-missing "noexec:1: .*readsin.none is not on this host" \
	"${GEN[@]}" -H "$WORK/noexec"
hook relbb "applets busybox /bin/busybox"
expect_fail gen-hooks-applets-relative "relbb:1: .*absolute path" "${GEN[@]}" -H "$WORK/relbb"
check gen-hooks-no-shell-in-generator sh -c "! grep -nE '\\<(popen|system)\\(' \
	'$TOP'/gen/*.c"

# ---- 2. paths in the image: normalised, never climbing out ------------------
echo myhost > "$WORK/hostname"
hook dd1 "file $WORK/hostname ../../escape"
expect_fail gen-hooks-dotdot-file "dd1:1: file \\.\\./\\.\\./escape: '\\.\\.' in a path in the image" \
	"${GEN[@]}" -H "$WORK/dd1"
hook dd2 "dir ../updir"
expect_fail gen-hooks-dotdot-dir "dd2:1: dir \\.\\./updir: '\\.\\.'" "${GEN[@]}" -H "$WORK/dd2"
hook dd3 "# shadow" "link /etc/shadow ../lnk"
expect_fail gen-hooks-dotdot-link "dd3:2: link \\.\\./lnk: '\\.\\.'" "${GEN[@]}" -H "$WORK/dd3"
hook dd4 "file $WORK/../${WORK##*/}/hostname"
expect_fail gen-hooks-dotdot-host-path "dd4:1: file .*'\\.\\.' in a path in the image" \
	"${GEN[@]}" -H "$WORK/dd4"
hook dd5 "dir /etc/a/../../.."
expect_fail gen-hooks-dotdot-deep "dd5:1: dir .*'\\.\\.'" "${GEN[@]}" -H "$WORK/dd5"
hook root1 "dir /./"
expect_fail gen-hooks-path-root "root1:1: dir /\\./: the path names the image's root" \
	"${GEN[@]}" -H "$WORK/root1"
hook rt "runtime $WORK/ premount"
expect_fail gen-hooks-runtime-no-name "rt:1: runtime .*name a script file" "${GEN[@]}" -H "$WORK/rt"
hook norm "file $WORK/hostname //etc/./hn2" "dir ./a//b/." "link /x /./c/./d"
if build norm -H "$WORK/norm" && listed norm ' etc/hn2$' && listed norm ' a/b$' &&
   listed norm ' c/d -> /x$' && ! grep -q '/\./\|//\| \./' "$WORK/norm.list"; then
	ok gen-hooks-paths-normalised
else
	notok gen-hooks-paths-normalised "$(head -2 "$WORK/norm.err") $(grep -E 'hn2|a/b|c/d' "$WORK/norm.list" 2>/dev/null | tr '\n' ' ')"
fi
# what the generator owns, and entries that would go through others
hook own1 "file $WORK/hostname /init"
expect_fail gen-hooks-init-is-ours "own1:1: /init is the generator's own" "${GEN[@]}" -H "$WORK/own1"
hook own2 "file $WORK/hostname /etc/initkit/modules.db"
expect_fail gen-hooks-initkit-dir-is-ours "own2:1: /etc/initkit/modules.db is the generator's own" \
	"${GEN[@]}" -H "$WORK/own2"
hook through "dir /a" "file $WORK/hostname /dev/console/x"
expect_fail gen-hooks-below-a-file "through:2: /dev/console is a file in the image, not a directory" \
	"${GEN[@]}" -H "$WORK/through"
hook relink "link /x /b" "dir /b"
expect_fail gen-hooks-dir-over-link "relink:2: /b is a symbolic link in the image already" \
	"${GEN[@]}" -H "$WORK/relink"
hook redir "dir /lib/y" "link /x /lib"
expect_fail gen-hooks-link-over-dir "redir:2: /lib is a directory in the image already" \
	"${GEN[@]}" -H "$WORK/redir"
hook twice "file $WORK/hostname /etc/a" "file /etc/os-release /etc/a"
check gen-hooks-later-file-wins sh -c "'$MK' ${GEN[*]} -H '$WORK/twice' -o '$WORK/twice.img' &&
	'$MK' --list '$WORK/twice.img' | grep -q ' $(stat -L -c %s /etc/os-release) .* etc/a\$'"
rm -rf "$WORK/x" && mkdir "$WORK/x"
check gen-hooks-normalised-image-extracts "$MK" --extract "$WORK/norm.img" "$WORK/x"

# ---- 3. no fixed limit on the words of a line --------------------------------
progs="/bin/true /bin/false /bin/ls /bin/cat /bin/echo /bin/sleep /bin/date /bin/mkdir /bin/rm"
hook nine "binary $progs"
if build nine -H "$WORK/nine"; then
	missing=
	for p in $progs; do
		n=${p##*/}
		listed nine " (usr/)?bin/$n( -> .*)?\$" || missing="$missing $n"
	done
	if [ -z "$missing" ]; then ok gen-hooks-binary-nine; else notok gen-hooks-binary-nine "missing:$missing"; fi
else
	notok gen-hooks-binary-nine "$(head -2 "$WORK/nine.err")"
fi

# ---- 4. the last of a repeated flag wins --------------------------------------
# a cpio archive whose compressed member is gzip: after the leading
# uncompressed member (--lazy-modules, the default of --generic), if any
is_cpio() {
	python3 - "$1" <<'PY'
import gzip, sys
d = open(sys.argv[1], "rb").read()
i = 0
while d[i:i + 6] == b"070701":
    ns, fs = int(d[i + 94:i + 102], 16), int(d[i + 54:i + 62], 16)
    i = (i + 110 + ns + 3) & ~3
    i = (i + fs + 3) & ~3
while d[i:i + 1] == b"\0":
    i += 1
sys.exit(0 if d[i:i + 2] == b"\x1f\x8b" and gzip.decompress(d[i:])[:6] == b"070701" else 1)
PY
}
is_ext2() { zcat "$1" 2>/dev/null | file - | grep -q 'ext2 filesystem'; }
build fmt1 --format image --format cpio
check gen-hooks-format-last-wins-cpio is_cpio "$WORK/fmt1.img"
build fmt2 --format cpio --format image
check gen-hooks-format-last-wins-image is_ext2 "$WORK/fmt2.img"
build comp -c zstd -c gzip
check gen-hooks-compress-last-wins is_cpio "$WORK/comp.img"
build lvl -l 19 -l 9
check gen-hooks-level-last-wins test -s "$WORK/lvl.img"
build thr -j 3 -j 2
check gen-hooks-threads-last-wins test -s "$WORK/thr.img"
build out1 -o "$WORK/first.img"
check gen-hooks-output-last-wins sh -c "test -s '$WORK/out1.img' && test ! -e '$WORK/first.img'"

# ---- 5. numbers: digits only, range-checked, never wrapped -----------------------
expect_fail gen-hooks-threads-wraps "-j/--threads 4294967297: .*1 to 64" "${GEN[@]}" -j 4294967297
expect_fail gen-hooks-threads-plus "-j/--threads \\+4: .*1 to 64" "${GEN[@]}" -j +4
expect_fail gen-hooks-threads-blank "-j/--threads  4: .*1 to 64" "${GEN[@]}" -j " 4"
expect_fail gen-hooks-level-wraps "-l 4294967297: gzip levels go from 1 to 12" "${GEN[@]}" -l 4294967297
expect_fail gen-hooks-level-huge "-l 99999999999999: gzip levels go from 1 to 12" \
	"${GEN[@]}" -l 99999999999999
expect_fail gen-hooks-level-huge-zstd "-l 99999999999999999999999: zstd levels go from 1 to 19" \
	"${GEN[@]}" -l 99999999999999999999999 -c zstd
expect_fail gen-hooks-level-negative "-l -1: the level is a number" "${GEN[@]}" -l -1
expect_fail gen-hooks-level-plus "-l \+3: the level is a number" "${GEN[@]}" -l +3
expect_fail gen-hooks-level-for-compressor "-l 15: gzip levels go from 1 to 12" "${GEN[@]}" -l 15
printf 'COMPRESS=gzip\nLEVEL=19\n' > "$WORK/lvl.conf"
expect_fail gen-hooks-config-level-names-line "lvl\\.conf:2: LEVEL=19: gzip levels go from 1 to 12" \
	"${GEN[@]}" -C "$WORK/lvl.conf"
printf 'LEVEL=0\n' > "$WORK/lvl0.conf"
expect_fail gen-hooks-config-level-default-comp "lvl0\\.conf:1: LEVEL=0: gzip levels go from 1 to 12" \
	"${GEN[@]}" -C "$WORK/lvl0.conf"
printf 'LEVEL=99999999999999\n' > "$WORK/lvlbig.conf"
expect_fail gen-hooks-config-level-huge "lvlbig\\.conf:1: LEVEL=99999999999999: use a number from 0 to 19" \
	"${GEN[@]}" -C "$WORK/lvlbig.conf"
printf 'THREADS=4294967297\n' > "$WORK/thr.conf"
expect_fail gen-hooks-config-threads-huge "thr\\.conf:1: THREADS=4294967297: use a number from 1 to 64" \
	"${GEN[@]}" -C "$WORK/thr.conf"
cp "$WORK/keep.img" "$WORK/out.img"
SOURCE_DATE_EPOCH=+5 "$MK" "${GEN[@]}" -o "$WORK/out.img" >"$WORK/err" 2>&1
check gen-hooks-epoch-digits-only sh -c "grep -q 'SOURCE_DATE_EPOCH=+5' '$WORK/err' && cmp -s '$WORK/keep.img' '$WORK/out.img'"

# ---- 6. lines: '#' only at the start, long lines an error, never split ----------
echo hash > "$WORK/host#name"
hook hash "  # an indented comment" "file $WORK/host#name /etc/host#name"
if build hash -H "$WORK/hash" && listed hash ' etc/host#name$'; then
	ok gen-hooks-hash-in-path
else
	notok gen-hooks-hash-in-path "$(head -2 "$WORK/hash.err") $(grep etc/host "$WORK/hash.list" 2>/dev/null)"
fi
hook trail "dir /x # a comment after a directive"
expect_fail gen-hooks-trailing-hash "trail:1: write dir PATH.*'#' starts a comment only at the start of a line" \
	"${GEN[@]}" -H "$WORK/trail"
long=$(head -c 9000 /dev/zero | tr '\0' a)
hook long "# a long line" "dir /$long"
expect_fail gen-hooks-long-line "long:2: line longer than 8191 bytes" "${GEN[@]}" -H "$WORK/long"
# exactly 8191 bytes: one line, read whole
line="binary"
while [ ${#line} -lt 8170 ]; do line="$line /bin/true"; done
line="$line$(head -c $((8191 - ${#line} - 8)) /dev/zero | tr '\0' ' ') /bin/ls"
hook edge "$line"
if [ ${#line} -eq 8191 ] && build edge -H "$WORK/edge" && listed edge ' (usr/)?bin/ls$'; then
	ok gen-hooks-line-8191-bytes
else
	notok gen-hooks-line-8191-bytes "${#line} bytes: $(head -2 "$WORK/edge.err")"
fi
printf 'dir /a\r\ndir /b\r\n' > "$WORK/crlf"
if build crlf -H "$WORK/crlf" && listed crlf ' a$' && listed crlf ' b$'; then
	ok gen-hooks-crlf
else
	notok gen-hooks-crlf "$(head -2 "$WORK/crlf.err")"
fi
printf 'dir /a\ndir /b\033[2J\n' > "$WORK/ctl"
expect_fail gen-hooks-control-char "ctl:2: control character 0x1b" "${GEN[@]}" -H "$WORK/ctl"
hook unk "directory /x"
expect_fail gen-hooks-unknown-directive "unk:1: unknown directive 'directory'" "${GEN[@]}" -H "$WORK/unk"
hook nested "hook $WORK/nested"
expect_fail gen-hooks-include-loop "nested:1: hooks include each other more than 8 deep" \
	"${GEN[@]}" -H "$WORK/nested"

# module sets: the same rules
mkdir -p "$WORK/sets"
printf '# a set\n?no_such_module#x\n' > "$WORK/sets/hash"
build sethash -v -M "$WORK/sets/hash"
check gen-hooks-set-hash-in-name grep -q "module 'no_such_module#x' is not in this kernel" "$WORK/sethash.err"
printf 'virtio_blk # the disk\n' > "$WORK/sets/trail"
expect_fail gen-hooks-set-trailing-hash "trail:1: one module per line.*'#' starts a comment only" \
	"${GEN[@]}" -M "$WORK/sets/trail"
{ echo '# long'; head -c 9000 /dev/zero | tr '\0' a; echo; } > "$WORK/sets/long"
expect_fail gen-hooks-set-long-line "sets/long:2: line longer than 8191 bytes" \
	"${GEN[@]}" -M "$WORK/sets/long"
printf 'virtio\033blk\n' > "$WORK/sets/ctl"
expect_fail gen-hooks-set-control-char "sets/ctl:1: control character 0x1b" \
	"${GEN[@]}" -M "$WORK/sets/ctl"
printf '?\n' > "$WORK/sets/q"
expect_fail gen-hooks-set-bare-question-mark "sets/q:1: '\\?' names no module" \
	"${GEN[@]}" -M "$WORK/sets/q"
check gen-hooks-shipped-sets-parse "$MK" "${GEN[@]}" --generic -o "$WORK/generic.img"

# ---- 7. control characters in messages are escaped ---------------------------
expect_fail gen-hooks-escape-module-arg "'bad\\\\x1b\\[31mname'" "${GEN[@]}" -m "bad${ESC}[31mname"
expect_fail gen-hooks-escape-hook-arg "hook /nonexistent/\\\\x1b\\]0;x\\\\x07" \
	"${GEN[@]}" -H "/nonexistent/${ESC}]0;x$(printf '\a')"
expect_fail gen-hooks-escape-set-arg "nosuch\\\\x1bset" "${GEN[@]}" -M "nosuch${ESC}set"
expect_fail gen-hooks-escape-c1 "\\\\xc2\\\\x9b" "${GEN[@]}" -m "$(printf 'c1\302\233x')"
expect_fail gen-hooks-escape-config-path "nosuch\\\\x1b\\.conf" "${GEN[@]}" -C "$WORK/nosuch${ESC}.conf"
cp "$WORK/keep.img" "$WORK/utf.img"
"$MK" "${GEN[@]}" -m "modulé" -o "$WORK/utf.img" > "$WORK/err" 2>&1
check gen-hooks-utf8-kept grep -q "'modulé'" "$WORK/err"

# ---- paths built from arguments are never cut short ----------------------------
expect_fail gen-hooks-long-set-name "path longer than 4095 bytes: .*modules.d/aaaa" \
	"${GEN[@]}" -M "$(head -c 5000 /dev/zero | tr '\0' a)"

# ---- 8. the stacked-storage sets: helper, action, modprobe link, modules ------
# Each set brings its hook: the helper, the action for its probe type, /init
# as /sbin/modprobe and its modules, none of them loaded at every boot.
stack_set() {	# stack_set SET TYPE MODULE
	local set=$1 type=$2 mod=$3
	"$MK" "${GEN[@]}" -M virtio -M "$set" -d "$TOP" -o "$WORK/$set.img" >"$WORK/err" 2>&1 ||
		{ notok "gen-hooks-set-$set" "$(head -2 "$WORK/err")"; return; }
	"$MK" --list "$WORK/$set.img" > "$WORK/$set.list" 2>&1
	mkdir -p "$WORK/$set.x" && "$MK" --extract "$WORK/$set.img" "$WORK/$set.x" >/dev/null 2>&1
	if ! grep -q " lib/initkit/$set\$" "$WORK/$set.list"; then
		notok "gen-hooks-set-$set" "no lib/initkit/$set"
	elif ! grep -q " lib/initkit/actions/$type -> /lib/initkit/$set\$" "$WORK/$set.list"; then
		notok "gen-hooks-set-$set" "no action for $type: $(grep actions "$WORK/$set.list")"
	elif ! grep -q " lib/initkit/modprobe -> /init\$" "$WORK/$set.list"; then
		notok "gen-hooks-set-$set" "no /lib/initkit/modprobe link (/init makes it /sbin/modprobe)"
	elif ! awk -F'\t' -v m="$mod" '$1 == "m" && $2 == m { found = 1; if ($NF != "0") bad = 1 }
			END { exit !(found && !bad) }' "$WORK/$set.x/etc/initkit/modules.db"; then
		notok "gen-hooks-set-$set" "$mod missing from the database or loaded at every boot"
	else
		ok "gen-hooks-set-$set"
	fi
}
stack_set lvm LVM2_member dm_mod
stack_set md linux_raid_member md_mod
stack_set luks crypto_LUKS dm_crypt

#!/bin/bash
# tests/fuzz/regress.sh - the fuzz regression tier: no clang, no libFuzzer.
# Links each fuzz target (tests/fuzz/fuzz_TARGET.c) with tests/fuzz/replay.c using gcc
# and ASan/UBSan, then replays the built-in edge inputs (empty, one byte,
# 64 KiB of 0xff) and every file in tests/fuzz/regressions/TARGET/ (the
# crashes tests/fuzz/run.sh found).  Prints "ok fuzz-regress-TARGET (N inputs)"
# or "not ok fuzz-regress-TARGET: FILE", with the sanitizer's summary on
# "# " lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
CC=${CC:-gcc}
B=build/fuzz-regress
LIB_SRCS=$(make -s print-PURE_SRCS) || exit 2	# the Makefile's list
LIBS="-ldeflate -lz -lzstd -llzma -llz4"
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
        -fno-sanitize-recover=all -Ilib -Igen -Iinit"
BUILTIN=5	# replay.c -b: empty, 0x00, '0', 0xff, 64 KiB of 0xff
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

mkdir -p "$B"
# the sanitizer's verdict and the top of the stack, as TAP-like comments
why() {
	grep -E 'ERROR: |runtime error:|invariant failed|^ *#[0-3] |^SUMMARY:' "$1" |
		head -8 | sed 's/^ */# /'
}

objs=
for s in $LIB_SRCS; do
	o=$B/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
	if ! $CC $CFLAGS -c -o "$o" "$s" 2>"$B/build.log"; then
		echo "not ok fuzz-regress-build: $CC -c $s"
		sed 's/^/# /' "$B/build.log" | head -10
		exit 0
	fi
	objs="$objs $o"
done
rm -f "$B/lib.a"
ar rcs "$B/lib.a" $objs

for src in tests/fuzz/fuzz_*.c; do
	t=${src#tests/fuzz/fuzz_}
	t=${t%.c}
	bin=$B/replay_$t
	if ! $CC $CFLAGS -o "$bin" tests/fuzz/replay.c "$src" "$B/lib.a" $LIBS 2>"$B/build.log"; then
		echo "not ok fuzz-regress-$t: cannot build $src"
		sed 's/^/# /' "$B/build.log" | head -10
		continue
	fi
	bad='' nbad=0
	n=$BUILTIN
	if ! { timeout 120 "$bin" -b >"$B/$t.log" 2>&1; } 2>/dev/null; then
		bad=$(sed -n 's/^replay: //p' "$B/$t.log" | tail -1)
		nbad=1
		cp "$B/$t.log" "$B/$t.fail.log"
	fi
	for f in "tests/fuzz/regressions/$t"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! { timeout 60 "$bin" "$f" >"$B/$t.log" 2>&1; } 2>/dev/null; then
			nbad=$((nbad + 1))
			[ -n "$bad" ] && continue
			bad=$f
			cp "$B/$t.log" "$B/$t.fail.log"
		fi
	done
	if [ -n "$bad" ]; then
		echo "not ok fuzz-regress-$t: $bad"
		why "$B/$t.fail.log"
		[ "$nbad" -eq 1 ] || echo "# $nbad of $n inputs fail"
	else
		echo "ok fuzz-regress-$t ($n inputs)"
	fi
done

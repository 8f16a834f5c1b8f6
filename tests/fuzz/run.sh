#!/bin/bash
# tests/fuzz/run.sh [SECONDS] - fuzz every parser of untrusted input with
# libFuzzer for SECONDS each (default 60), NPROC targets at a time.
#
#   1. builds build/fuzz/fuzz_TARGET with clang (-fsanitize=fuzzer,address,
#      undefined) for each tests/fuzz/fuzz_TARGET.c
#   2. builds the seed corpora into build/fuzz/seeds/ (tests/fuzz/seeds.sh)
#   3. runs each target; the corpus it grows is kept in
#      build/fuzz/corpus/TARGET/ and used again next time
#   4. copies each crash, timeout, leak or out-of-memory input to
#      tests/fuzz/regressions/TARGET/SHA1 (tests/fuzz/regress.sh replays
#      them with gcc) and prints it with the sanitizer's report
#   5. prints a table: target, seconds, executions, new crashes
# Exits 1 if any target crashed, 2 if the targets cannot be built.
#
# Environment: TARGETS="probe config" to run some only; JOBS=N targets at
# once (default: the number of CPUs); CLANG=clang-14.
set -u
cd "$(dirname "$0")/../.." || exit 2
SECS=${1:-60}
case $SECS in ''|*[!0-9]*) echo "usage: tests/fuzz/run.sh [SECONDS]" >&2; exit 2 ;; esac
CLANG=${CLANG:-clang}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
ALL_TARGETS=$(ls tests/fuzz/fuzz_*.c | sed 's|tests/fuzz/fuzz_\(.*\)\.c|\1|')
TARGETS=${TARGETS:-$ALL_TARGETS}
B=build/fuzz
LIB_SRCS=$(make -s print-PURE_SRCS) || exit 2	# the Makefile's list
LIBS="-ldeflate -lz -lzstd -llzma -llz4"
CFLAGS="-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined -Ilib -Igen -Iinit"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

# The largest input each target is given: a little over what its parser
# reads (probe: PROBE_READ_SIZE; cmdline: CMDLINE_MAX; parttable: the seed
# disks; imgread, extract: small images; config: lines over CONFIG_LINE_MAX;
# hook and modset: lines over TEXT_LINE_MAX; elf: small programs; lvm: the
# small fixtures' PV heads, up to their first extent; md: a
# header and four superblocks of MD_SB_READ bytes; luks: a LUKS2 header of
# the default 16 KiB).
max_len() {
	case $1 in
	cmdline) echo 4200 ;;
	probe) echo 69632 ;;
	parttable) echo 131076 ;;
	uevent) echo 8192 ;;
	moddb) echo 131072 ;;
	imgread) echo 262144 ;;
	extract) echo 131072 ;;
	config) echo 16384 ;;
	hook|modset) echo 20000 ;;	# lines over TEXT_LINE_MAX (8191)
	elf) echo 262144 ;;		# small real programs and libraries
	sysfs) echo 16384 ;;
	lvm) echo 65600 ;;		# the head of a PV with a 60 KiB metadata area
	md) echo 16393 ;;		# flags, size, four superblocks (MD_SB_READ)
	luks) echo 16384 ;;		# a LUKS2 header of the default size
	*) echo 65536 ;;
	esac
}

# ---- build ------------------------------------------------------------------
mkdir -p "$B/obj"
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' > "$B/probe-cc.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$B/probe-cc" "$B/probe-cc.c" 2>"$B/probe-cc.log"; then
	echo "fuzz: $CLANG cannot build libFuzzer targets:" >&2
	sed 's/^/  /' "$B/probe-cc.log" >&2
	echo "fuzz: on Debian 12: apt-get install -y clang libclang-rt-14-dev" >&2
	exit 2
fi
rm -f "$B/libinitkit-fuzz.a"
objs=
for s in $LIB_SRCS; do
	o=$B/obj/$(echo "$s" | tr / _ | sed 's/\.c$/.o/')
	"$CLANG" $CFLAGS -fsanitize=fuzzer-no-link,address,undefined -c -o "$o" "$s" || exit 2
	objs="$objs $o"
done
ar rcs "$B/libinitkit-fuzz.a" $objs || exit 2
for t in $TARGETS; do
	[ -f "tests/fuzz/fuzz_$t.c" ] || { echo "fuzz: no tests/fuzz/fuzz_$t.c" >&2; exit 2; }
	"$CLANG" $CFLAGS -Wall -Wextra -Wno-unused-parameter \
		-fsanitize=fuzzer,address,undefined -o "$B/fuzz_$t" "tests/fuzz/fuzz_$t.c" \
		"$B/libinitkit-fuzz.a" $LIBS || exit 2
done

# ---- seeds ------------------------------------------------------------------
rm -rf "$B/seeds"
tests/fuzz/seeds.sh "$B/seeds" || echo "fuzz: seeds.sh failed; fuzzing from what there is" >&2

# ---- run ----------------------------------------------------------------------
run_one() {
	local t=$1 dict=
	local art=$B/artifacts/$t
	rm -rf "$art"
	mkdir -p "$art" "$B/corpus/$t" "$B/seeds/$t"
	[ -f "tests/fuzz/$t.dict" ] && dict=-dict=tests/fuzz/$t.dict
	# extract drops to nobody in its own namespaces (fuzz_extract.c):
	# what libFuzzer writes must be nobody's
	if [ "$t" = extract ] && [ "$(id -u)" = 0 ]; then
		chown -R 65534:65534 "$art" "$B/corpus/$t" || return
	fi
	SECONDS=0
	"$B/fuzz_$t" "$B/corpus/$t" "$B/seeds/$t" $dict \
		-max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
		-max_len="$(max_len "$t")" -artifact_prefix="$art/" \
		-print_final_stats=1 > "$B/$t.log" 2>&1
	echo $? > "$B/$t.rc"
	echo "$SECONDS" > "$B/$t.time"
}

echo "fuzz: $SECS s per target, $JOBS at a time: $(echo $TARGETS)"
running=0
for t in $TARGETS; do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	echo "fuzz: $t..."
	run_one "$t" &
	running=$((running + 1))
done
wait

# ---- results ------------------------------------------------------------------
# the sanitizer's report, from its first line, up to a few stack frames
report() {
	awk '/^==[0-9]+==ERROR|runtime error:|invariant failed|^==[0-9]+== ERROR: libFuzzer/ { on = 1 }
	     on { print "    " $0; if (++n == 30) exit }' "$1"
}

crashed=0
table=
for t in $TARGETS; do
	log=$B/$t.log
	done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
	if [ -n "$done_line" ]; then
		execs=$(echo "$done_line" | awk '{ print $2 }')
		secs=$(echo "$done_line" | awk '{ print $5 }')
	else	# stopped early (a crash): the final stats, the wall time
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
		execs=${execs:-0}
		secs=$(cat "$B/$t.time" 2>/dev/null || echo '?')
	fi
	new=0 found=0
	for a in "$B/artifacts/$t"/crash-* "$B/artifacts/$t"/timeout-* \
		 "$B/artifacts/$t"/leak-* "$B/artifacts/$t"/oom-*; do
		[ -f "$a" ] || continue
		found=$((found + 1))
		sum=$(sha1sum "$a" | cut -d' ' -f1)
		dest=tests/fuzz/regressions/$t/$sum
		echo
		echo "=== $t: $(basename "$a" | cut -d- -f1) ($(stat -c %s "$a") bytes) -> $dest"
		if [ ! -f "$dest" ]; then
			mkdir -p "tests/fuzz/regressions/$t"
			cp "$a" "$dest"
			new=$((new + 1))
		fi
		od -A d -c "$a" | head -20
		report "$log"
	done
	# a failure without an artifact (the target would not start...)
	rc=$(cat "$B/$t.rc" 2>/dev/null || echo 1)
	if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
		echo
		echo "=== $t: libFuzzer exited $rc without an artifact; the end of $log:"
		tail -20 "$log" | sed 's/^/    /'
		found=1
	fi
	[ "$found" -eq 0 ] || crashed=1
	echo "$execs" > "$B/$t.execs"
	table="$table$(printf '%-10s %8s %12s %12s' "$t" "$secs" "$execs" "$new")
"
done
echo
printf '%-10s %8s %12s %12s\n' target seconds executions new-crashes
printf '%s' "$table"

# The ledger: every run's executions, kept in the tree, so the total over
# the project's life is a sum anyone can check (tests/fuzz/ledger).
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
for t in $TARGETS; do
	printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$commit" "$t" \
		"$(cat "$B/$t.time" 2>/dev/null || echo '?')" "$(cat "$B/$t.execs" 2>/dev/null || echo 0)"
done >> tests/fuzz/ledger
echo
tests/fuzz/totals.sh
[ "$crashed" -eq 0 ] || { echo "fuzz: crashes found: see above and tests/fuzz/regressions/"; exit 1; }

#!/bin/bash
# tests/check.sh - every test: unit tests (ASan/UBSan), generator tests, the
# init's size budget, the stacked test disks (built once, then verified) and
# the QEMU boot tests.  Expects 'make all unit' done and the dependencies
# installed (tests/run does both).  Ends with one line: "N passed, N
# failed".
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0

count_unit() {	# a cmocka program: add its PASSED/FAILED counts
	local t=$1 out p f rc
	out=$("$t" 2>&1); rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed (sanitizer) before cmocka could count
	fi
	[ "$f" -eq 0 ] || { echo "$out" | grep -vE '^\[ +(RUN|OK) +\]' | tail -40; }
	echo "unit $(basename "$t"): $p passed, $f failed"
	passed=$((passed + p)) failed=$((failed + f))
}

count_suite() {	# a script printing "ok NAME" / "not ok NAME" lines
	local line out rc n=0
	out=$(mktemp)
	"$@" > "$out" 2>&1; rc=$?
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"ok "*) passed=$((passed + 1)) n=$((n + 1)) ;;
		"not ok "*) failed=$((failed + 1)) n=$((n + 1)) ;;
		esac
	done < "$out"
	rm -f "$out"
	# a suite that could not run, or died, is a failure, not silence
	if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
		echo "not ok suite $*: exit status $rc after $n results"
		failed=$((failed + 1))
	fi
}

# the unit tests that read the test kernel's modules (test_inflate)
if . tests/lib.sh && ensure_kernel; then
	export INITKIT_UNIT_MODULES=$KROOT/lib/modules/$KVER
fi
for src in tests/unit/test_*.c; do
	t=build/$(basename "$src" .c)
	if [ -x "$t" ]; then
		count_unit "$t"
	else
		echo "not ok unit $(basename "$t"): not built (make unit)"
		failed=$((failed + 1))
	fi
done
count_suite tests/fuzz/regress.sh
for s in tests/gen/*.sh; do
	count_suite "$s"
done
count_suite tests/qemu/stack-tests.sh
count_suite tests/qemu/boot-tests.sh
# the Debian package in a chroot, and its image booting the Debian root
count_suite env INITKIT_DEB_BOOT=1 tests/deb.sh

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

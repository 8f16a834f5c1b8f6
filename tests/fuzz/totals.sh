#!/bin/bash
# tests/fuzz/totals.sh - executions per fuzz target over the project's life,
# summed from tests/fuzz/ledger (one row per target per tests/fuzz/run.sh:
# date, commit, target, seconds, executions).  The goal is 10^7 per target.
cd "$(dirname "$0")/../.." || exit 2
GOAL=10000000
targets=$(ls tests/fuzz/fuzz_*.c | sed 's|tests/fuzz/fuzz_\(.*\)\.c|\1|')
printf '%-10s %14s %6s  %s\n' target executions runs "of 10^7"
for t in $targets; do
	awk -F'\t' -v t="$t" -v goal="$GOAL" '
		!/^#/ && $3 == t { n += $5; runs++ }
		END { printf "%-10s %14d %6d  %s\n", t, n, runs, (n >= goal ? "reached" : sprintf("%.1f%%", 100 * n / goal)) }' \
		tests/fuzz/ledger
done

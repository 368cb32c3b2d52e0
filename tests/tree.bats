#!/usr/bin/env bats
# The layout rules of lib/README, and that their checker can fail.
setup() {
	load test_helper
	# A shell script over the sources, the slowest file of the suite (about
	# 150 s): the plain pass runs it; the sanitizers' and distcheck's would
	# check the same sources with no aiops code running.
	[ -z "${AIOPS_SANITIZERS:-}${AIOPS_DISTCHECK:-}" ] ||
	    skip "check-tree runs no aiops code (the plain pass runs it)"
	CHECK="$AIOPS_SRCDIR/tests/check-tree"
}

# A copy of the sources to break on purpose.
copy_tree() {
	mkdir -p "$BATS_TEST_TMPDIR/src"
	cp -R "$AIOPS_SRCDIR/lib" "$AIOPS_SRCDIR/bin" "$BATS_TEST_TMPDIR/src/"
}

@test "the tree keeps its rules: layers, sqlite3 in lib/store, printing in lib/tool" {
	run -0 "$CHECK" "$AIOPS_SRCDIR"
	[ -z "$output" ]
}

@test "an include of a higher layer is caught with file and line" {
	copy_tree
	printf '#include "store/state.h"\n' >> "$BATS_TEST_TMPDIR/src/lib/core/buf.c"
	run -1 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[[ $output == *"lib/core/buf.c:"*": includes store/state.h: lib/store is not below lib/core"* ]]
}

@test "folders of one layer may not include each other" {
	copy_tree
	printf '#include "ingest/ingest.h"\n' >> "$BATS_TEST_TMPDIR/src/lib/detect/mdetect.c"
	run -1 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[[ $output == *"lib/detect/mdetect.c:"*"lib/ingest is not below lib/detect"* ]]
}

@test "sqlite3 outside lib/store is caught, in lib/ and in bin/" {
	copy_tree
	printf 'static void f(void) { sqlite3_open(0, 0); }\n' >> "$BATS_TEST_TMPDIR/src/lib/detect/mdetect.c"
	printf 'static void g(void) { sqlite3_close(0); }\n' >> "$BATS_TEST_TMPDIR/src/bin/ingest/main.c"
	run -1 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[[ $output == *"lib/detect/mdetect.c:"*": names sqlite3 outside lib/store"* ]]
	[[ $output == *"bin/ingest/main.c:"*": names sqlite3 outside lib/store"* ]]
}

@test "the private header of lib/store is caught outside it" {
	copy_tree
	printf '#include "store/state_int.h"\n' >> "$BATS_TEST_TMPDIR/src/bin/detect/logs.c"
	run -1 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[[ $output == *"bin/detect/logs.c:"*": includes store/state_int.h outside lib/store"* ]]
}

@test "printing or exiting outside lib/tool is caught; comments and strings are not" {
	copy_tree
	f="$BATS_TEST_TMPDIR/src/lib/event/event.c"
	printf '/* exit(1) in a comment */\nstatic const char *s = "abort()";\n' >> "$f"
	run -0 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[ -z "$output" ]
	printf 'static void h(void) { fprintf(stderr, "x"); }\nstatic void k(void) { exit(1); }\n' >> "$f"
	run -1 "$CHECK" "$BATS_TEST_TMPDIR/src"
	[ "$(grep -c 'event.c:.*prints or exits outside lib/tool' <<< "$output")" -eq 2 ]
}

#!/usr/bin/env bats
# What every program shares: --help, --version, usage errors, man pages.
setup() { load test_helper; }

PROGRAMS="aiops-ingest aiops-detect"

@test "--version prints the program and version" {
	for p in $PROGRAMS; do
		run -0 "$p" --version
		[[ $output =~ ^$p\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	done
}

@test "--help goes to stdout, exits 0 and shows the synopsis" {
	for p in $PROGRAMS; do
		run -0 --separate-stderr "$p" --help
		[[ $output == "usage: $p"* ]]
		[ -z "$stderr" ]
	done
}

@test "an unknown option is a usage error on stderr, exit 64" {
	for p in $PROGRAMS; do
		run -64 --separate-stderr "$p" --no-such-option
		[ -z "$output" ]
		[[ $stderr == *"usage: $p"* ]]
	done
}

@test "every long option in --help is in the man page" {
	for p in $PROGRAMS; do
		page="$AIOPS_SRCDIR/man/$p.1"
		[ -f "$page" ]
		for opt in $("$p" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
			name=${opt#--}
			grep -q -- "Fl Fl $name\b" "$page" || { echo "$p: $opt missing from $page"; false; }
		done
	done
}

@test "the man pages are clean under mandoc -Tlint" {
	command -v mandoc || skip "mandoc not installed"
	for m in "$AIOPS_SRCDIR"/man/*.[0-9]; do
		run -0 mandoc -Tlint -Wwarning "$m"
		[ -z "$output" ]
	done
}

# Prints each "$ command" of a page's EXAMPLES, NUL-terminated: indented
# lines after it continue it, anything else is its sample output.
run_examples() {
	awk '/^\.Sh EXAMPLES/ {on = 1; next} /^\.Sh / {on = 0}
	     function flush() { if (cmd != "") printf "%s%c", cmd, 0; cmd = "" }
	     !on {next}
	     /^\$ / {flush(); cmd = substr($0, 3); next}
	     /^[ \t]/ && cmd != "" {cmd = cmd "\n" $0; next}
	     {flush()}
	     END {flush()}' "$1" | sed -e 's/\\e/\\/g' -e 's/\\(em/-/g'
}

@test "the EXAMPLES of the man pages run" {
	cd "$AIOPS_BUILDDIR"
	for page in "$AIOPS_SRCDIR"/man/*.[0-9]; do
		while IFS= read -r -d '' cmd; do
			case $cmd in *"/var/log/"*|*aiops-forecast*|*aiops-run*|*aiops-notify*|*aiops-ask*) continue ;; esac
			# Their /tmp/ files go in this test's own directory: a state
			# left in /tmp by one build must not meet another build.
			cmd=${cmd//\/tmp\//$BATS_TEST_TMPDIR/}
			run bash -c "$cmd"
			[ "$status" -eq 0 ] || { echo "$page: \`$cmd\` exited $status: $output"; false; }
			[ -n "$output" ] || [[ $cmd == *--store-only* ]] || { echo "$page: \`$cmd\` printed nothing"; false; }
		done < <(run_examples "$page")
	done
}

#!/usr/bin/env bats
# What every program shares: --help, --version, usage errors, man pages.
setup() { load test_helper; }

PROGRAMS="aiops-ingest aiops-detect aiops-forecast aiops-notify aiops-ask"

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

# The options --help lists, a line each: "f format", or "- follow" for
# one without a short letter.
help_options() {
	"$1" --help | sed -En 's/^  -(.), --([a-z][a-z-]*).*/\1 \2/p; s/^      --([a-z][a-z-]*).*/- \1/p' | sort
}

# The same from the man page's option list (".It Fl f , Fl Fl format").
man_options() {
	sed -En 's/^\.It Fl (.) , Fl Fl ([a-z][a-z-]*).*/\1 \2/p; s/^\.It Fl Fl ([a-z][a-z-]*).*/- \1/p' "$1" | sort
}

@test "--help and the man page list the same options, short letters included" {
	for p in $PROGRAMS; do
		page="$AIOPS_SRCDIR/man/$p.1"
		[ -f "$page" ]
		[ "$(help_options "$p" | wc -l)" -gt 10 ]
		diff -u <(man_options "$page") <(help_options "$p") ||
			{ echo "$p: --help (+) and $page (-) differ"; false; }
	done
}

# "--name" or "-x", then "=" when --help shows it takes an argument.
help_argv() {
	"$1" --help | sed -En 's/^  -(.), --([a-z][a-z-]*) [^ ].*/-\1 =\n--\2 =/p; s/^  -(.), --([a-z][a-z-]*)  .*/-\1\n--\2/p;
		s/^      --([a-z][a-z-]*) [^ ].*/--\1 =/p; s/^      --([a-z][a-z-]*)  .*/--\1/p'
}

@test "every option in --help is one the program accepts" {
	for p in $PROGRAMS; do
		[ "$(help_argv "$p" | wc -l)" -gt 10 ]
		while read -r opt arg; do
			# --help ends the run, unless the option's value is refused first.
			if [ -z "$arg" ]; then
				run "$p" "$opt" --help </dev/null 3>&-
			else
				run "$p" "$opt" x --help </dev/null 3>&-
			fi
			[[ $status -eq 0 || $status -eq 64 ]] || { echo "$p $opt: exit $status"; false; }
			[[ $output != *"unrecognized option"* && $output != *"invalid option"* &&
			    $output != *"requires an argument"* && $output != *"allow an argument"* ]] ||
				{ echo "$p $opt: $output"; false; }
		done < <(help_argv "$p")
	done
}

# The options a synopsis names: -x, -hqVv (a cluster) and --name, sorted.
usage_options() {
	{ grep -oE -- '--[a-z][a-z-]*' ; } <<<"$1" | sort -u
	grep -oE -- '\[-[a-zA-Z]+' <<<"$1" | sed 's/^\[//' | sort -u
}

man_synopsis_options() {
	local syn
	syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$1")
	grep -oE 'Fl Fl [a-z][a-z-]*' <<<"$syn" | sed 's/^Fl Fl /--/' | sort -u
	grep -oE 'Fl [a-zA-Z]+' <<<"$syn" | grep -v '^Fl Fl$' | sed 's/^Fl /-/' | sort -u
}

@test "usage() prints the man page SYNOPSIS: the same options" {
	for p in $PROGRAMS; do
		page="$AIOPS_SRCDIR/man/$p.1"
		run -64 --separate-stderr "$p" --no-such-option
		usage=$(sed -n '/^usage: /,$p' <<<"$stderr")
		[ -n "$usage" ]
		diff -u <(man_synopsis_options "$page") <(usage_options "$usage") ||
			{ echo "$p: usage (+) and the SYNOPSIS of $page (-) differ"; false; }
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
			case $cmd in *"/var/log/"*|*aiops-notify*) continue ;; esac
			# Their /tmp/ files go in this test's own directory: a state
			# left in /tmp by one build must not meet another build.
			cmd=${cmd//\/tmp\//$BATS_TEST_TMPDIR/}
			run bash -c "$cmd"
			[ "$status" -eq 0 ] || { echo "$page: \`$cmd\` exited $status: $output"; false; }
			[ -n "$output" ] || [[ $cmd == *--store-only* ]] || { echo "$page: \`$cmd\` printed nothing"; false; }
		done < <(run_examples "$page")
	done
}

#!/usr/bin/env bats
# What every program shares: --help, --version, usage errors, man pages.
setup() { load test_helper; }

PROGRAMS="aiops-ingest"

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

# Runs each "$ command" line of a page's EXAMPLES (continuations joined)
# from the build directory, where share/samples exists; commands that need
# a system file or a program that is not built yet are left out.
run_examples() {
	local page=$1
	awk '/^\.Sh EXAMPLES/ {on = 1; next} /^\.Sh / {on = 0}
	     on && /^\$ / {cmd = substr($0, 3); while (cmd ~ /\\e$/ && (getline nxt) > 0) cmd = substr(cmd, 1, length(cmd) - 2) " " nxt; print cmd}' "$page" |
	sed -e 's/\\e/\\/g' -e 's/\\(em/-/g'
}

@test "the EXAMPLES of the man pages run" {
	cd "$AIOPS_BUILDDIR"
	for page in "$AIOPS_SRCDIR"/man/*.[0-9]; do
		while IFS= read -r cmd; do
			case $cmd in *"/var/log/"*|*aiops-detect*|*aiops-forecast*|*aiops-run*|*aiops-notify*|*aiops-ask*) continue ;; esac
			run bash -c "$cmd"
			[ "$status" -eq 0 ] || { echo "$page: \`$cmd\` exited $status: $output"; false; }
			[ -n "$output" ] || [[ $cmd == *--store-only* ]] || { echo "$page: \`$cmd\` printed nothing"; false; }
		done < <(run_examples "$page")
	done
}

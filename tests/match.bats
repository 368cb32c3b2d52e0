#!/usr/bin/env bats
# lib/match against the real Alertmanager: for each matcher and label set,
# amtool (Debian prometheus-alertmanager) evaluates a routing tree whose
# root sends to "miss" and whose one child, with the matcher, to "hit";
# tests/unit/match_probe asks our matcher. Both must give the answer the
# table expects (hit, miss, or error when the matcher is refused).
# Skipped when amtool is not installed.

setup() {
	load test_helper
	AMTOOL=$(command -v amtool) || skip "amtool (prometheus-alertmanager) is not installed"
	PROBE="${AIOPS_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/unit/match_probe"
	[ -x "$PROBE" ] || skip "tests/unit/match_probe is not built (make check builds it)"
}

# What amtool says: hit, miss or error.
amtool_says() {
	local matcher=$1 cfg="$BATS_TEST_TMPDIR/am.yml" out
	shift
	# YAML single quotes: a quote doubles, a backslash is itself.
	cat > "$cfg" <<-YAML
	route:
	  receiver: miss
	  routes:
	    - receiver: hit
	      matchers:
	        - '${matcher//\'/\'\'}'
	receivers:
	  - name: miss
	  - name: hit
	YAML
	if out=$("$AMTOOL" config routes test --config.file="$cfg" "$@" 2>/dev/null); then
		printf '%s\n' "$out"
	else
		echo error
	fi
}

probe_says() {
	local out
	out=$("$PROBE" -l "$@")
	printf '%s\n' "${out%%:*}"
}

# parity WANT MATCHER [LABEL...]: amtool and our matcher both answer WANT.
parity() {
	local want=$1 am ours
	shift
	am=$(amtool_says "$@")
	ours=$(probe_says "$@")
	if [ "$am" != "$want" ] || [ "$ours" != "$want" ]; then
		echo "matcher: $1 labels: ${*:2}"
		echo "want $want, amtool $am, lib/match $ours"
		return 1
	fi
}

@test "= equal value" { parity hit 'a="x"' 'a="x"'; }
@test "= other value" { parity miss 'a="x"' 'a="y"'; }
@test "= absent label" { parity miss 'a="x"'; }
@test "!= other value" { parity hit 'a!="x"' 'a="y"'; }
@test "!= absent label" { parity hit 'a!="x"'; }
@test "a=\"\" matches a missing a" { parity hit 'a=""' 'b="v"'; }
@test "a=\"\" against a present a" { parity miss 'a=""' 'a="v"'; }
@test "a=\"\" against an empty a" { parity hit 'a=""' 'a=""'; }
@test "a!=\"\" means present" { parity hit 'a!=""' 'a="v"'; }
@test "a!=\"\" against a missing a" { parity miss 'a!=""' 'b="v"'; }
@test "=~ is anchored: b against abc" { parity miss 'a=~"b"' 'a="abc"'; }
@test "=~ b.* against bcd" { parity hit 'a=~"b.*"' 'a="bcd"'; }
@test "=~ b.* against abcd" { parity miss 'a=~"b.*"' 'a="abcd"'; }
@test "=~ x|y against y" { parity hit 'a=~"x|y"' 'a="y"'; }
@test "=~ x|y anchored as a whole: xy" { parity miss 'a=~"x|y"' 'a="xy"'; }
@test "=~ x|xy against xy" { parity hit 'a=~"x|xy"' 'a="xy"'; }
@test "=~ x\$ against x and a newline" { parity miss 'a=~"x$"' 'a="x\n"'; }
@test "!~ against a match" { parity miss 'a!~"x.*"' 'a="xyz"'; }
@test "!~ against an absent label" { parity hit 'a!~"x.*"'; }
@test "=~ .* against an absent label" { parity hit 'a=~".*"'; }
@test "=~ .+ against an absent label" { parity miss 'a=~".+"'; }
@test "escaped backslash \\\\d+" { parity hit 'a=~"\\d+"' 'a="123"'; }
@test "a lone backslash stays: \\d+" { parity hit 'a=~"\d+"' 'a="123"'; }
@test "inline flag (?i)" { parity hit 'a=~"(?i)err"' 'a="ERR"'; }
@test "\\w is ASCII, as in Go" { parity miss 'a=~"\w+"' 'a="été"'; }
@test "POSIX class" { parity hit 'a=~"[[:alpha:]]+"' 'a="abc"'; }
@test "braces inside a quoted regex" { parity hit 'a=~"x{2}"' 'a="xx"'; }
@test "set in braces, both hold" { parity hit '{a="x", b=~"y|z"}' 'a="x"' 'b="z"'; }
@test "set in braces, ANDed" { parity miss '{a="x", b=~"y|z"}' 'a="x"' 'b="w"'; }
@test "list with a trailing comma" { parity hit 'a="x",b="y",' 'a="x"' 'b="y"'; }
@test "unquoted value" { parity hit 'severity=critical' 'severity="critical"'; }
@test "UTF-8 value" { parity hit 'a="é日"' 'a="é日"'; }
@test "UTF-8: . is one character" { parity hit 'a=~"é."' 'a="éü"'; }
@test "escaped quote in a value" { parity hit 'a="x\"y"' 'a="x\"y"'; }
@test "escaped newline in a value" { parity hit 'a="line\nbreak"' 'a="line\nbreak"'; }
@test "comma inside quotes" { parity hit 'a="x,y"' 'a="x,y"'; }
@test "a regex that does not compile" { parity error 'a=~"("'; }
@test "no operator" { parity error 'a~x'; }
@test "exponential regex: RE2 is linear, ours hits the limit; both miss" {
	parity miss 'a=~"(a|a)*b"' 'a="aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaabx"'
}

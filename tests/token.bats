#!/usr/bin/env bats
# aiops-ingest token: the listener's tokens, hashed in the state, shown once.

load test_helper

TOKEN_RE='^aiops_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$'

# The state file and its write-ahead log, as bytes anyone could grep.
state_bytes() {
	cat "$AIOPS_STATE" "$AIOPS_STATE-wal" 2>/dev/null || true
}

@test "token add prints a token once, and the state keeps its SHA-256 alone" {
	run -0 --separate-stderr aiops-ingest token -vv add --scope write telegraf
	[[ $output =~ $TOKEN_RE ]]
	[ "${#lines[@]}" -eq 1 ]
	tok=$output
	id=${tok:6:12}
	secret=${tok:19}
	[[ $stderr == *"token telegraf (id $id, scopes write) added"* ]]
	[[ $stderr != *"$secret"* ]]
	want=$(printf %s "$secret" | sha256sum | cut -c1-64)
	run -0 sqlite3 "$AIOPS_STATE" "SELECT lower(hex(hash)), scopes, name FROM ingest_tokens WHERE id = '$id'"
	[ "$output" = "$want|write|telegraf" ]
	! state_bytes | grep -aqF -- "$secret"
	! state_bytes | grep -aqF -- "${secret:0:20}"
	run -0 aiops-ingest token list
	[[ $output == *"$id  telegraf  live     write"* ]]
	[[ $output != *"$secret"* ]]
	[[ $output != *"$want"* ]]
	run -0 aiops-ingest token list --json
	[[ $output != *"$secret"* ]]
	[[ $output != *"$want"* ]]
	run -0 jq -c '[.id, .name, .scopes, .status, .created, .expires, .revoked, .last_used]' <<< "$output"
	[ "$output" = "[\"$id\",\"telegraf\",[\"write\"],\"live\",\"2026-11-22T12:00:00.000Z\",null,null,null]" ]
}

@test "token add: scopes are checked, ordered, and * stands alone" {
	run -64 aiops-ingest token add --scope admin x
	[[ $output == *"admin: not a scope"* ]]
	run -64 aiops-ingest token add --scope "" x
	run -64 aiops-ingest token add --scope "write alerts" x
	run -0 aiops-ingest token add --scope read --scope alerts --scope read a
	run -0 aiops-ingest token add --scope '*' --scope write b
	run -0 aiops-ingest token add c
	run -0 sqlite3 "$AIOPS_STATE" "SELECT name, scopes FROM ingest_tokens ORDER BY name"
	[ "$output" = $'a|alerts read\nb|*\nc|write' ]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM ingest_tokens')" -eq 3 ]
}

@test "token add: names are checked, and a name is taken once" {
	for bad in "-x" "a b" "a~1" "a/b" "0123456789ab" "" "$(printf 'n%.0s' $(seq 65))"; do
		run -64 aiops-ingest token add -- "$bad"
	done
	run -0 aiops-ingest token add web-1.telegraf_a
	run -65 --separate-stderr aiops-ingest token add web-1.telegraf_a
	[ -z "$output" ]
	[[ $stderr == *"the name is taken"* ]]
	run -64 aiops-ingest token add one two
	run -64 aiops-ingest token add
	run -64 aiops-ingest token add --grace 1h x
	run -64 aiops-ingest token frobnicate
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM ingest_tokens')" -eq 1 ]
}

@test "token add --out: a new file of mode 0600, nothing on stdout; an existing file refused" {
	umask 022
	run -0 --separate-stderr aiops-ingest token add --scope alerts --out "$BATS_TEST_TMPDIR/am.token" am
	[ -z "$output" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/am.token")" = 600 ]
	tok=$(cat "$BATS_TEST_TMPDIR/am.token")
	[[ $tok =~ $TOKEN_RE ]]
	[ "$(wc -l < "$BATS_TEST_TMPDIR/am.token")" -eq 1 ]
	[[ $stderr != *"${tok:19}"* ]]
	# An existing file, even empty, is refused, and no token is made.
	: > "$BATS_TEST_TMPDIR/exists"
	run -73 aiops-ingest token add --out "$BATS_TEST_TMPDIR/exists" other
	[[ $output == *"it exists"* ]]
	[ ! -s "$BATS_TEST_TMPDIR/exists" ]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT count(*) FROM ingest_tokens WHERE name = 'other'")" -eq 0 ]
	# A symbolic link is not followed, even to nowhere.
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$BATS_TEST_TMPDIR/link"
	run -73 aiops-ingest token add --out "$BATS_TEST_TMPDIR/link" other
	[ ! -e "$BATS_TEST_TMPDIR/elsewhere" ]
	# A name taken leaves no file behind.
	run -65 aiops-ingest token add --out "$BATS_TEST_TMPDIR/new.token" am
	[ ! -e "$BATS_TEST_TMPDIR/new.token" ]
	# A directory that does not exist.
	run -73 aiops-ingest token add --out "$BATS_TEST_TMPDIR/no/such" other
}

@test "token add --expires: live, then expired as the clock passes it" {
	run -0 aiops-ingest token add --expires 1h short
	run -0 aiops-ingest token add long
	run -0 aiops-ingest token list --json
	[ "$(jq -r 'select(.name == "short") | .expires' <<< "$output")" = 2026-11-22T13:00:00.000Z ]
	[ "$(jq -r 'select(.name == "short") | .status' <<< "$output")" = live ]
	AIOPS_NOW=2026-11-22T13:00:00Z run -0 aiops-ingest token list --json
	[ "$(jq -r 'select(.name == "short") | .status' <<< "$output")" = expired ]
	[ "$(jq -r 'select(.name == "long") | .status' <<< "$output")" = live ]
	run -64 aiops-ingest token add --expires soon x
}

@test "token revoke: by name or id; unknown ones exit 65; again is no error" {
	a=$(aiops-ingest token add a)
	b=$(aiops-ingest token add b)
	aiops-ingest token add c > /dev/null
	run -0 aiops-ingest token revoke a "${b:6:12}"
	[ "${lines[0]}" = "a: revoked (1 token)" ]
	[ "${lines[1]}" = "${b:6:12}: revoked (1 token)" ]
	run -0 aiops-ingest token list --json
	[ "$(jq -r 'select(.status == "revoked") | .name' <<< "$output" | sort | tr '\n' ' ')" = "a b " ]
	[ "$(jq -r 'select(.name == "a") | .revoked' <<< "$output")" = 2026-11-22T12:00:00.000Z ]
	run -0 aiops-ingest token revoke a
	[ "$output" = "a: revoked already" ]
	run -65 aiops-ingest token revoke c nobody
	[[ $output == *"nobody: no such token"* ]]
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT revoked IS NOT NULL FROM ingest_tokens WHERE name = 'c'")" = 1 ]
	run -64 aiops-ingest token revoke
	[[ $output != *"${a:19}"* ]]
}

@test "token rotate: a new secret, same name and scopes, the old one revoked at once" {
	old=$(aiops-ingest token add --scope alerts --scope read --expires 30d prom)
	AIOPS_NOW=2026-11-23T12:00:00Z run -0 --separate-stderr aiops-ingest token -v rotate prom
	new=$output
	[[ $new =~ $TOKEN_RE ]]
	[ "$new" != "$old" ]
	[[ $stderr != *"${new:19}"* ]]
	[[ $stderr != *"${old:19}"* ]]
	run -0 aiops-ingest token list --json
	[ "$(jq -r 'select(.name == "prom") | .id' <<< "$output")" = "${new:6:12}" ]
	[ "$(jq -c 'select(.name == "prom") | .scopes' <<< "$output")" = '["alerts","read"]' ]
	# The same lifetime from the rotation: 30 days.
	[ "$(jq -r 'select(.name == "prom") | .expires' <<< "$output")" = 2026-12-23T12:00:00.000Z ]
	[ "$(jq -r "select(.name == \"prom~${old:6:12}\") | .status" <<< "$output")" = revoked ]
	[ "$(jq -r "select(.name == \"prom~${old:6:12}\") | .revoked" <<< "$output")" = 2026-11-23T12:00:00.000Z ]
	want=$(printf %s "${new:19}" | sha256sum | cut -c1-64)
	[ "$(sqlite3 "$AIOPS_STATE" "SELECT lower(hex(hash)) FROM ingest_tokens WHERE name = 'prom'")" = "$want" ]
	! state_bytes | grep -aqF -- "${new:19}"
	! state_bytes | grep -aqF -- "${old:19}"
	# The retired row is not rotated again; the name is.
	run -65 aiops-ingest token rotate "${old:6:12}"
	[[ $output == *"rotated already"* ]]
	run -0 aiops-ingest token rotate "${new:6:12}"
	run -65 aiops-ingest token rotate nobody
	run -64 aiops-ingest token rotate --scope write prom
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM ingest_tokens')" -eq 3 ]
}

@test "token rotate --grace: the old one stays live for the grace, then expires; revoke ends both" {
	old=$(aiops-ingest token add telegraf)
	run -0 aiops-ingest token rotate --grace 1h --out "$BATS_TEST_TMPDIR/t.token" telegraf
	[ -z "$output" ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/t.token")" = 600 ]
	new=$(cat "$BATS_TEST_TMPDIR/t.token")
	run -0 aiops-ingest token list --json
	[ "$(jq -r "select(.name == \"telegraf~${old:6:12}\") | [.status, .expires] | join(\" \")" <<< "$output")" = "live 2026-11-22T13:00:00.000Z" ]
	[ "$(jq -r 'select(.name == "telegraf") | [.id, .status] | join(" ")' <<< "$output")" = "${new:6:12} live" ]
	AIOPS_NOW=2026-11-22T13:00:00Z run -0 aiops-ingest token list --json
	[ "$(jq -r "select(.name == \"telegraf~${old:6:12}\") | .status" <<< "$output")" = expired ]
	[ "$(jq -r 'select(.name == "telegraf") | .status' <<< "$output")" = live ]
	# Within the grace, revoking the name revokes both.
	run -0 aiops-ingest token revoke telegraf
	[ "$output" = "telegraf: revoked (2 tokens)" ]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM ingest_tokens WHERE revoked IS NULL')" -eq 0 ]
	# A revoked name is used again by a rotation (a grace means nothing then).
	run -0 aiops-ingest token rotate --grace 1h telegraf
	[[ $output =~ $TOKEN_RE ]]
	[ "$(sqlite3 "$AIOPS_STATE" 'SELECT count(*) FROM ingest_tokens WHERE revoked IS NULL')" -eq 1 ]
	run -73 aiops-ingest token rotate --out "$BATS_TEST_TMPDIR/t.token" telegraf
	run -64 aiops-ingest token rotate --grace forever telegraf
}

@test "token list: no state, read-only, and no secret on any path" {
	run -66 aiops-ingest token list
	[[ $output == *"no such state file"* ]]
	tok=$(aiops-ingest token add --expires 90d a)
	aiops-ingest token revoke a > /dev/null
	tok2=$(aiops-ingest token rotate a)
	chmod 0400 "$AIOPS_STATE"
	run -0 aiops-ingest token list
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == "ID "* ]]
	chmod 0600 "$AIOPS_STATE"
	for t in "$tok" "$tok2"; do
		run -0 aiops-ingest token -vv list --json
		[[ $output != *"${t:19}"* ]]
		! state_bytes | grep -aqF -- "${t:19}"
	done
	run -64 aiops-ingest token list extra
}

@test "token: --help and --version" {
	run -0 aiops-ingest token --help
	[[ $output == *"aiops-ingest token rotate"* ]]
	[[ $output == *"--grace dur"* ]]
	run -0 aiops-ingest token --version
	run -64 aiops-ingest token
}

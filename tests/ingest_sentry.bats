#!/usr/bin/env bats
# aiops-ingest: Sentry events and webhooks as log events (lib/ingest/sentry.c).
setup() { load test_helper; IN="$FIXTURES/ingest"; }

# The fields of the event on line $1 of $output, as jq -c prints them.
ev() {
	printf '%s\n' "$output" | sed -n "${1}p"
}

@test "sentry: an error webhook (data.error), pretty-printed, detected" {
	run -0 --separate-stderr aiops-ingest "$IN/sentry-error.json"
	[[ -z $stderr ]]
	[[ $(printf '%s\n' "$output" | wc -l) -eq 1 ]]
	[[ $(jq -r .type <<<"$output") == log ]]
	[[ $(jq -r .source <<<"$output") == sentry ]]
	# timestamp, epoch seconds with milliseconds
	[[ $(jq -r .ts <<<"$output") == 2026-11-20T10:58:37.391Z ]]
	[[ $(jq -r .severity <<<"$output") == error ]]
	[[ $(jq -r .message <<<"$output") == "TypeError: Cannot read property 'reduce' of undefined" ]]
	# "project" is a number here: the slug comes from the event's API url.
	[[ $(jq -r .service <<<"$output") == front-end ]]
	[[ $(jq -r 'has("host")' <<<"$output") == false ]]
	[[ $(jq -c .labels <<<"$output") == '{"action":"created","culprit":"?(runner)","event_id":"bb78c1407cea4519aa397afc059c793d","exception_type":"TypeError","issue_id":"1170820242","level":"error","platform":"javascript","project":"front-end","resource":"error","tag.browser":"Chrome 75.0.3770","tag.browser.name":"Chrome","tag.handled":"no","tag.mechanism":"onerror","tag.os.name":"Mac OS X","tag.url":"https://sentry.io/runner","url":"https://sentry.io/organizations/test-org/issues/1170820242/events/bb78c1407cea4519aa397afc059c793d/"}' ]]
	[[ $(jq -c .fields <<<"$output") == '{"frame":"/static/app.js:23 in runner","request_url":"https://sentry.io/runner"}' ]]
}

@test "sentry: an issue alert (event_alert): the last exception is the message, fatal is critical" {
	run -0 --separate-stderr aiops-ingest -f sentry "$IN/sentry-alert.json"
	[[ -z $stderr ]]
	[[ $(jq -r .ts <<<"$output") == 2026-11-20T11:02:05.250Z ]]
	[[ $(jq -r .host <<<"$output") == web-3 ]]
	[[ $(jq -r .severity <<<"$output") == critical ]]
	[[ $(jq -r .message <<<"$output") == "PaymentError: card declined by gateway" ]]
	[[ $(jq -r '.labels | "\(.rule)|\(.release)|\(.environment)|\(.transaction)|\(.level)|\(.exception_type)|\(.project)|\(.resource)|\(.action)"' <<<"$output") == \
	    "Page on fatal checkout errors|checkout@2.14.0|production|/api/checkout/pay|fatal|PaymentError|5|event_alert|triggered" ]]
	# Tags Sentry copies from the event's own fields are not repeated.
	[[ $(jq -r '.labels | keys | map(select(startswith("tag."))) | join(",")' <<<"$output") == "tag.customer.tier,tag.server_name" ]]
	[[ $(jq -c .fields <<<"$output") == '{"frame":"checkout/views.py:142 in pay","request_method":"POST","request_url":"https://shop.example.com/api/checkout/pay","trace_id":"9a1b2c3d4e5f60718293a4b5c6d7e8f9"}' ]]
	[[ $(jq -r 'has("service")' <<<"$output") == false ]]
}

@test "sentry: issue webhooks, created and resolved" {
	run -0 --separate-stderr aiops-ingest "$IN/sentry-issue.ndjson"
	[[ -z $stderr ]]
	[[ $(printf '%s\n' "$output" | wc -l) -eq 2 ]]
	# created: at firstSeen, the issue's level
	[[ $(ev 1 | jq -r '"\(.ts) \(.severity) \(.service) \(.labels.action) \(.labels.issue_id)"') == \
	    "2026-11-20T10:58:37.391Z error front-end created 1170820242" ]]
	[[ $(ev 1 | jq -r .message) == "TypeError: Cannot read property 'reduce' of undefined" ]]
	[[ $(ev 1 | jq -c .fields) == '{"short_id":"FRONT-END-1","status":"unresolved","count":"1","first_seen":"2026-11-20T10:58:37.391000Z","last_seen":"2026-11-20T10:58:37.391000Z"}' ]]
	# resolved: at lastSeen, info (a change, not the error again)
	[[ $(ev 2 | jq -r '"\(.ts) \(.severity) \(.labels.action) \(.labels.level) \(.fields.status) \(.fields.count)"') == \
	    "2026-11-21T08:15:00.000Z info resolved error resolved 12" ]]
	[[ $(ev 1 | jq -r .id) != $(ev 2 | jq -r .id) ]]
	[[ $(ev 1 | jq -r .source) == sentry ]]
}

@test "sentry: the legacy webhook plugin payload" {
	run -0 --separate-stderr aiops-ingest "$IN/sentry-legacy.json"
	[[ -z $stderr ]]
	[[ $(jq -r '"\(.ts) \(.host) \(.service) \(.severity)"' <<<"$output") == \
	    "2026-11-20T11:00:00.000Z web01.example.org project-slug warning" ]]
	[[ $(jq -r .message <<<"$output") == "This is an example Python exception" ]]
	[[ $(jq -r '.labels | "\(.issue_id)|\(.event_id)|\(.rule)|\(.culprit)|\(.environment)|\(.resource)|\(.url)"' <<<"$output") == \
	    "27379932|6ee1cdf2e1f64b7a9be1e7bd5b1e6c3e|Notify on new issues|raven.scripts.runner in main|prod|webhook|https://sentry.io/organizations/example/issues/27379932/?referrer=webhooks_plugin" ]]
}

@test "sentry: minimal payloads of every shape are all read" {
	run -0 --separate-stderr aiops-ingest -f sentry "$IN/sentry-minimal.ndjson"
	[[ -z $stderr ]]
	[[ $(printf '%s\n' "$output" | jq -r '"\(.labels.resource) \(.ts) \(.severity) [\(.message)]"' | paste -sd'|') == \
	    "event 2026-11-22T12:00:00.000Z error []|error 2026-11-22T12:00:00.000Z error []|event_alert 2026-11-20T11:00:00.500Z error []|issue 2026-11-22T12:00:00.000Z info []|webhook 2026-11-22T12:00:00.000Z error []|event 2026-11-20T12:00:00.000Z debug [cache warmed]|event 2026-11-22T12:00:00.000Z info [Error]|event 2026-11-22T12:00:00.000Z error [only a value]" ]]
	# An integer issue id, SDK tags as an object, a host tag, a service tag.
	[[ $(ev 4 | jq -r .labels.issue_id) == 42 ]]
	[[ $(ev 6 | jq -r '"\(.host) \(.labels["tag.region"])"') == "cache-2 eu-1" ]]
	[[ $(ev 8 | jq -r .service) == billing ]]
	[[ $(ev 8 | jq -r '.labels | has("tag.empty")') == false ]]
	[[ $(ev 1 | jq -r 'has("fields")') == false ]]
}

@test "sentry: the same payload gives the same id, read twice, as NDJSON or pretty" {
	run -0 --separate-stderr aiops-ingest "$IN/sentry-alert.json"
	local id1=$(jq -r .id <<<"$output")
	[[ $id1 =~ ^[0-9a-f]{16}$ ]]
	jq -c . "$IN/sentry-alert.json" > "$BATS_TEST_TMPDIR/a.ndjson"
	AIOPS_NOW=2027-01-01T00:00:00Z run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/a.ndjson"
	[[ $(jq -r .id <<<"$output") == "$id1" ]]
	# Another event_id, another id.
	sed 's/4d3c8e1f/4d3c8e10/' "$BATS_TEST_TMPDIR/a.ndjson" > "$BATS_TEST_TMPDIR/b.ndjson"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/b.ndjson"
	[[ $(jq -r .id <<<"$output") != "$id1" ]]
}

@test "sentry: NDJSON payloads are detected as sentry, pretty ones read through json" {
	run -0 --separate-stderr aiops-ingest -v "$IN/sentry-issue.ndjson"
	[[ $(printf '%s\n' "$output" | jq -r .source | sort -u) == sentry ]]
	run -0 --separate-stderr aiops-ingest -f json "$IN/sentry-legacy.json"
	[[ $(jq -r '"\(.source) \(.service)"' <<<"$output") == "sentry project-slug" ]]
	run -0 aiops-ingest --list-formats
	grep -q '^sentry ' <<<"$output"
	# An ordinary JSON log with an event_id stays a JSON log.
	printf '{"event_id":"x","level":"error","msg":"boom"}\n' > "$BATS_TEST_TMPDIR/j.ndjson"
	run -0 --separate-stderr aiops-ingest "$BATS_TEST_TMPDIR/j.ndjson"
	[[ $(jq -r '"\(.source) \(.message)"' <<<"$output") == "json boom" ]]
}

@test "sentry: wrong types are skipped with file:line and the path, good payloads flow" {
	run -65 --separate-stderr aiops-ingest -f sentry "$IN/sentry-bad.ndjson"
	[[ $(printf '%s\n' "$output" | jq -r .message) == "still read" ]]
	[[ $stderr == *"sentry-bad.ndjson:1: skipped: level is not a string"* ]]
	[[ $stderr == *"sentry-bad.ndjson:2: skipped: tags is not a list of pairs or an object"* ]]
	[[ $stderr == *"sentry-bad.ndjson:3: skipped: exception.values is not an array"* ]]
	[[ $stderr == *"sentry-bad.ndjson:4: skipped: timestamp is not an RFC 3339 time or epoch seconds"* ]]
	[[ $stderr == *"sentry-bad.ndjson:5: skipped: data.issue.project is not an object"* ]]
	[[ $stderr == *"sentry-bad.ndjson:6: skipped: tags[0] is not a pair of strings"* ]]
	[[ $stderr == *"sentry-bad.ndjson:7: skipped: not a Sentry event, webhook or issue payload"* ]]
	[[ $stderr == *"sentry-bad.ndjson:8: skipped: truncated JSON"* ]]
	[[ $stderr == *"sentry-bad.ndjson:9: skipped: timestamp is not an RFC 3339 time or epoch seconds"* ]]
	[[ $stderr == *"sentry-bad.ndjson:10: skipped: data.event.exception.values[1] is not an object"* ]]
	[[ $stderr == *"10 lines skipped"* ]]
}

@test "sentry: a bad pretty-printed payload is reported at its line, the next one read" {
	{ cat "$IN/sentry-alert.json"; sed 's/"level": "warning"/"level": ["warning"]/' "$IN/sentry-legacy.json"; cat "$IN/sentry-error.json"; } > "$BATS_TEST_TMPDIR/p.json"
	run -65 --separate-stderr aiops-ingest -f sentry "$BATS_TEST_TMPDIR/p.json"
	[[ $(printf '%s\n' "$output" | jq -r .labels.resource | paste -sd,) == event_alert,error ]]
	# Reported at the first line of the document, after the alert.
	local at=$(( $(wc -l < "$IN/sentry-alert.json") + 1 ))
	[[ $stderr == *"p.json:$at: skipped: event.level is not a string"* ]]
}

@test "sentry: tags are bounded by the label limit, and the rest counted" {
	jq -c '.data.event.tags = [range(100) | ["t\(.)", "v\(.)"]]' "$IN/sentry-alert.json" > "$BATS_TEST_TMPDIR/t.ndjson"
	run -0 --separate-stderr aiops-ingest -v -f sentry "$BATS_TEST_TMPDIR/t.ndjson"
	[[ $(jq -r '.labels | length' <<<"$output") -eq 64 ]]
	[[ $(jq -r '.labels.project' <<<"$output") == 5 ]]
	[[ $(jq -r '.labels["tag.t0"]' <<<"$output") == v0 ]]
	local kept=$(jq -r '[.labels | keys[] | select(startswith("tag."))] | length' <<<"$output")
	[[ $(jq -r .fields.tags_left_out <<<"$output") -eq $((100 - kept)) ]]
	[[ $stderr == *"$((100 - kept)) Sentry tags left out: more than 64 labels"* ]]
}

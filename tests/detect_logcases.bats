#!/usr/bin/env bats
# aiops-detect --raw on the template-mining field cases (the operators'
# reports against Drain3, Loki and Elastic, rewritten as
# tests/fixtures/detect-cases/logwords.py) and on cases of our own of each
# kind: one meaningful word apart, a variable first word, long lines whose
# tail differs.
setup() {
	load test_helper
	CASES="$FIXTURES/detect-cases/logwords.py"
}

# mine NAME: aiops-detect --raw --all over the case with the test's state;
# every output event into $out.
mine() {
	out="$BATS_TEST_TMPDIR/$1.out"
	python3 "$CASES" "$1" > "$BATS_TEST_TMPDIR/$1.log"
	aiops-detect --raw --all --state "$AIOPS_STATE" "$BATS_TEST_TMPDIR/$1.log" > "$out"
	[ "$(jq -c 'select(.type == "log")' "$out" | wc -l)" -eq "$(wc -l < "$BATS_TEST_TMPDIR/$1.log")" ]
}

# final: "count template" of each template id, its final template, sorted.
final() {
	jq -r 'select(.type == "log") | "\(.template_id)\t\(.template)"' "$out" |
	    awk -F '\t' '{ n[$1]++; t[$1] = $2 } END { for (i in n) print n[i], t[i] }' | sort -k2
}

new_templates() {
	jq -r 'select(.type == "anomaly" and .detector == "new-template") | .message' "$out"
}

@test "l01: lines one state word, verb or outcome apart are separate templates" {
	mine l01_keyword
	[ "$(final | grep -v temperature)" = "$(printf '%s\n' \
	    '50 connection closed to <*> port <*>' \
	    '50 connection opened to <*> port <*>' \
	    '50 instance <*> lifecycle event: VM Paused' \
	    '50 instance <*> lifecycle event: VM Started' \
	    '50 instance <*> lifecycle event: VM Stopped' \
	    '50 job <*> finished with status failure' \
	    '50 job <*> finished with status success')" ]
	[ "$(final | grep temperature | cut -d' ' -f2-)" = "$(printf '%s\n' \
	    'disk temperature <*> C is above the limit' \
	    'disk temperature <*> C is below the limit')" ]
}

@test "l01b: the first failure after 2,500 successes is a new template, an anomaly" {
	mine l01b_first_failure_after_warmup
	[ "$(new_templates)" = "$(printf '%s\n' 'job 512 finished with status failure' \
	    'connection opened to 10.1.1.1 port 4000')" ]
}

@test "our states: up/down, mounted/unmounted, accepted/rejected, error types are each their own template" {
	mine w_states
	[ "$(final | cut -d' ' -f2- | sort)" = "$(printf '%s\n' \
	    'link <*> is down' 'link <*> is up' 'lock <*> acquired by worker <*>' \
	    'lock <*> released by worker <*>' 'replica <*> is healthy' 'replica <*> is unhealthy' \
	    'request <*> raised java.io.IOException: stream closed' \
	    'request <*> sent "GET <*> HTTP/1.1" status: <*>' \
	    'request <*> sent "POST <*> HTTP/1.1" status: <*>' \
	    'request <*> raised java.util.concurrent.TimeoutException: stream closed' \
	    'user <*> login accepted' 'user <*> login rejected' \
	    'volume <*> mounted on <*>' 'volume <*> unmounted on <*>' | sort)" ]
}

@test "our first failure: 2,400 passed, then failed is the one anomaly" {
	mine w_first_failure
	[ "$(new_templates)" = 'pipeline 4242 result failed' ]
}

@test "l10: a variable first word gives one template per message kind" {
	mine l10_leading_var
	[ "$(final)" = "$(printf '%s\n' '200 <*> is not responding to heartbeat' \
	    '200 <*> logged in from <*>' '200 <*> rows inserted into table events')" ]
}

@test "l10b: a new user's routine login after the warm-up is no anomaly" {
	mine l10b_new_user_after_warmup
	[ "$(final)" = '2401 <*> logged in from <*>' ]
	[ -z "$(new_templates)" ]
	[ "$(jq -r 'select(.type == "log") | .params[0]' "$out" | tail -n 1)" = zoe ]
}

@test "our first words: queues and hosts are values; sentence verbs and code names are not" {
	mine w_first_values
	[ "$(final | cut -d' ' -f2-)" = "$(printf '%s\n' \
	    '<*> queue depth over limit for <*> minutes' \
	    'Acquiring suspend blocker "wakelocks" for task <*>' \
	    'Releasing suspend blocker "wakelocks" for task <*>' \
	    'db-<*> replication lag is growing' \
	    'initLimit set to <*>' 'maxClients set to <*>' 'tickTime set to <*>')" ]
}

@test "l09b: 500-token traces that differ only in the final cause stay apart, the cause whole" {
	mine l09b_long_differ_at_end
	[ "$(final | awk '{ print $1, $(NF - 3), $(NF - 2), $(NF - 1), $NF }')" = "$(printf '%s\n' \
	    '20 java.lang.OutOfMemoryError: Java heap space' \
	    '20 java.net.SocketTimeoutException: read timed out')" ]
}

@test "our 2,400-token tracebacks: the differing error survives in a parameter" {
	mine w_long_python
	# longer than the 1024 tokens compared one by one: the tail is one
	# token, and the error that differs is in its parameter (from the
	# second line on: the first one made the template)
	for e in KeyError ValueError PermissionError; do
		[ "$(jq -sr --arg e "$e" '[.[] | select(.type == "log")][1:][]
		    | select(.message | endswith($e + ": user_id"))
		    | .params[-1] | endswith($e + ": user_id")' "$out" | sort -u)" = true ]
	done
}

@test "a last value of several words ('lifetime <1 sec' beside 'lifetime 00:02') stays in its template; a bracketed tail does not" {
	printf '[10.30 16:49:%02d] chrome.exe - %s close, %d bytes sent, %d bytes received, lifetime %s\n' \
	    1 proxy.example.edu:5070 0 0 00:02 2 www.example.com:443 403 426 00:01 \
	    3 www.example.com:443 0 0 '<1 sec' 4 cdn.example.net:443 12 7 '<1 sec' > "$BATS_TEST_TMPDIR/p.log"
	printf 'Dec 10 06:55:%02d LabSZ sshd[24200]: Connection closed by 10.0.0.%d%s\n' \
	    1 1 '' 2 2 '' 3 3 ' [preauth]' >> "$BATS_TEST_TMPDIR/p.log"
	run -0 aiops-detect --raw --all --no-state "$BATS_TEST_TMPDIR/p.log"
	[ "$(jq -r '"\(.template_id) \(.template)"' <<<"$output" | sort -u)" = "$(printf '%s\n' \
	    '1 <*> close, <*> bytes sent, <*> bytes received, lifetime <*>' \
	    '2 Connection closed by <*>' '3 Connection closed by <*> [preauth]')" ]
	[ "$(jq -r 'select(.template_id == 1) | .params[-1]' <<<"$output" | paste -sd ,)" = '00:02,00:01,<1 sec,<1 sec' ]
}

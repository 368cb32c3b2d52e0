# Loaded by every bats file: paths, a scratch state, a frozen clock.
bats_require_minimum_version 1.5.0

FIXTURES="$BATS_TEST_DIRNAME/fixtures"
SAMPLES="${AIOPS_SAMPLES:-$BATS_TEST_DIRNAME/../share/samples}"
export LC_ALL=C
export AIOPS_NOW=2026-11-22T12:00:00Z
export AIOPS_STATE="$BATS_TEST_TMPDIR/state.db"
export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
export XDG_STATE_HOME="$BATS_TEST_TMPDIR/xdgstate"
unset AIOPS_CONFIG

# Compare the output of a command with a golden file: expect FILE CMD...
expect() {
	local want=$1; shift
	diff -u "$want" <("$@")
}

# A free TCP port on 127.0.0.1.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Holds the write lock of $AIOPS_STATE from another process, as a second
# writer would: until release_lock, or for $1 seconds when given. Returns
# once the lock is held (5 s at most).
hold_lock() {
	local ticks=$(( ${1:-3600} * 20 ))
	{
		printf "BEGIN IMMEDIATE;\nINSERT INTO meta VALUES ('lock', 'held');\n"
		while [ ! -e "$BATS_TEST_TMPDIR/release" ] && [ "$ticks" -gt 0 ]; do
			sleep 0.05
			ticks=$((ticks - 1))
		done
		printf 'ROLLBACK;\n'
	} | sqlite3 "$AIOPS_STATE" > /dev/null 3>&- &
	LOCK_PID=$!
	local i
	for i in $(seq 100); do
		sqlite3 "$AIOPS_STATE" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

release_lock() {
	touch "$BATS_TEST_TMPDIR/release"
	wait "$LOCK_PID"
	LOCK_PID=
}

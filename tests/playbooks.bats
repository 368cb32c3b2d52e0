#!/usr/bin/env bats
# The playbooks of share/playbooks, run by the real ansible-playbook
# (Debian's ansible-core) on localhost with a local connection, acting only
# inside a scratch directory: disk cleanup, log rotation and the restart of
# a service of the test's own run for real; the ones that need root or
# packages (dnsmasq, Samba, apt) are syntax-checked and run in check mode
# on scratch files. Every run costs seconds: the tests share few of them.
setup() {
	load test_helper
	command -v ansible-playbook > /dev/null || skip "ansible-core not installed (scripts/deps --test)"
	# No aiops code runs here: the sanitizers' pass and distcheck's have
	# nothing to find.
	[ -z "${AIOPS_SANITIZERS:-}${AIOPS_DISTCHECK:-}" ] ||
	    skip "the playbooks run no aiops code (the plain pass runs them)"
	PB="${AIOPS_SRCDIR:-$BATS_TEST_DIRNAME/..}/share/playbooks"
	S="$BATS_TEST_TMPDIR/scratch"
	mkdir -p "$S" "$BATS_TEST_TMPDIR/home" "$BATS_TEST_TMPDIR/ansible"
	: > "$BATS_TEST_TMPDIR/ansible.cfg"
	export HOME="$BATS_TEST_TMPDIR/home"
	export ANSIBLE_CONFIG="$BATS_TEST_TMPDIR/ansible.cfg"
	export ANSIBLE_LOCAL_TEMP="$BATS_TEST_TMPDIR/ansible/local"
	export ANSIBLE_REMOTE_TEMP="$BATS_TEST_TMPDIR/ansible/remote"
	export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False
	export ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3
	export LC_ALL=C.UTF-8	# ansible refuses any other encoding
	unset ANSIBLE_FORCE_COLOR ANSIBLE_STDOUT_CALLBACK
}

# Stops every process the restart test started: each pid it saw, and the
# one in the pid file in case a run failed half-way.
teardown() {
	local pid
	for pid in $(cat "$BATS_TEST_TMPDIR/pids" "$S/svc.pid" 2> /dev/null); do
		kill "$pid" 2> /dev/null || true
	done
}

# play PLAYBOOK ARGS...: runs it on localhost; the output in $output.
play() {
	run ansible-playbook -i localhost, -c local "$PB/$1" "${@:2}"
}

# recap CHANGED: the last run failed nowhere and changed CHANGED things
# (a glob pattern).
recap() {
	local line
	line=$(grep -E '^localhost +: ok=' <<< "$output") &&
	    [[ $line == *" changed="$1" "*" failed=0 "* ]] || { printf '%s\n' "$output"; return 1; }
}

# Every file under the scratch directory with its size and modification time.
listing() {
	(cd "$S" && find . -printf '%p %y %s %T@\n' | sort)
}

@test "the playbooks pass --syntax-check and each documents its variables" {
	run -0 ansible-playbook -i localhost, -c local --syntax-check "$PB"/*.yml
	local pb name
	for name in disk-cleanup restart-service log-rotate dns-record samba-share \
	    samba-user package-update; do
		pb="$PB/$name.yml"
		[ -f "$pb" ]
		grep -q '^# Extra vars' "$pb"
		grep -q '^#   target_host ' "$pb"
		grep -q "^$name.yml" "$PB/README"
		# Only the builtin modules of ansible-core, by their full names.
		! grep -nE '^ +[a-z_]+\.[a-z_]+\.[a-z_]+:' "$pb" | grep -v 'ansible\.builtin\.' || false
		! grep -nE '^      (shell|command|raw|script|file|copy|apt|systemd|find|stat|user):' "$pb" || false
		! grep -n 'ansible.builtin.shell' "$pb" || false
	done
}

@test "disk-cleanup: check mode deletes nothing, a run deletes old matches only, a second changes nothing" {
	mkdir -p "$S/disk/sub"
	for f in a.log.1 sub/b.gz keep.txt sub/f.conf; do
		printf 'old\n' > "$S/disk/$f"
		touch -d '10 days ago' "$S/disk/$f"
	done
	printf 'new\n' > "$S/disk/d.tmp"
	printf 'new\n' > "$S/disk/e.log.2"
	ln -s keep.txt "$S/disk/link.tmp"
	touch -h -d '10 days ago' "$S/disk/link.tmp"
	local before
	before=$(listing)

	play disk-cleanup.yml --check -e "path=$S/disk" -e older_than=7d
	recap 1
	[[ $output == *"would delete 2 files, 8 bytes"* ]]
	[ "$(listing)" = "$before" ]

	play disk-cleanup.yml -e "path=$S/disk/" -e older_than=7d
	recap 1
	[[ $output == *"deleted 2 files, 8 bytes"* ]]
	run -0 listing
	[[ $output != *a.log.1* && $output != *b.gz* ]]
	[[ $output == *"./disk/d.tmp f"* && $output == *"./disk/e.log.2 f"* ]]
	[[ $output == *"./disk/keep.txt f"* && $output == *"./disk/sub/f.conf f"* ]]
	[[ $output == *"./disk/link.tmp l"* ]]

	play disk-cleanup.yml -e "path=$S/disk" -e older_than=7d
	recap 0
	[[ $output == *"deleted 0 files"* ]]
}

@test "disk-cleanup refuses a system directory, also behind a symlink" {
	ln -s /etc "$S/etc"
	play disk-cleanup.yml -e "path=$S/etc/"
	[ "$status" -ne 0 ]
	[[ $output == *"$S/etc/ (/etc): refused, a system directory"* ]]
}

@test "log-rotate: check mode changes nothing, a run rotates and keeps 2, a second changes nothing" {
	mkdir "$S/logs"
	printf 'current\n' > "$S/logs/app.log"
	for n in 1 2; do printf 'copy %s\n' "$n" > "$S/logs/app.log.$n"; done
	: > "$S/logs/empty.log"
	printf 'not a log\n' > "$S/logs/notes.txt"
	printf '{"path": "%s", "keep": 2, "compress": true}\n' "$S/logs" > "$S/vars.json"
	local before
	before=$(listing)

	play log-rotate.yml --check -e "@$S/vars.json"
	recap 2
	[[ $output == *"would rotate 1 files: $S/logs/app.log"* ]]
	[ "$(listing)" = "$before" ]

	play log-rotate.yml -e "@$S/vars.json"
	recap 5
	[ ! -s "$S/logs/app.log" ]
	[ "$(gzip -dc "$S/logs/app.log.1.gz")" = current ]
	[ "$(cat "$S/logs/app.log.2")" = "copy 1" ]
	run -0 listing
	[[ $output != *app.log.3* && $output != *"app.log.1 "* ]]
	[[ $output == *"./logs/empty.log f 0 "* && $output == *"./logs/notes.txt f 10 "* ]]

	play log-rotate.yml -e "@$S/vars.json"
	recap 0
	[[ $output == *"rotated 0 files"* ]]
}

# exited PID: the process has ended, within 5 s. A zombie has: the
# playbook's start-stop-daemon saw it end, and who reaps it (the
# container's init) may take a while.
exited() {
	local i
	for i in $(seq 50); do
		kill -0 "$1" 2> /dev/null || return 0
		[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2> /dev/null)" != Z ] ||
			return 0
		sleep 0.1
	done
	return 1
}

@test "restart-service restarts a process of the test's own: new pid, old one gone; started is idempotent" {
	command -v start-stop-daemon || skip "start-stop-daemon (Debian's dpkg) not found"
	cat > "$S/svc.py" <<-'EOF'
		import os, signal, sys, time
		pidfile = sys.argv[1]
		def stop(*args):
		    os.unlink(pidfile)
		    sys.exit(0)
		signal.signal(signal.SIGTERM, stop)
		with open(pidfile + ".new", "w") as f:
		    f.write("%d\n" % os.getpid())
		os.rename(pidfile + ".new", pidfile)
		while True:
		    time.sleep(1)
	EOF
	printf '{"service": "svc", "manager": "command", "pidfile": "%s", "start_argv": ["/usr/bin/python3", "%s", "%s"], "match_exec": "/usr/bin/python3", "wait_timeout": 10}\n' \
	    "$S/svc.pid" "$S/svc.py" "$S/svc.pid" > "$S/vars.json"
	local pids="$BATS_TEST_TMPDIR/pids" first second

	play restart-service.yml -e "@$S/vars.json" -e state=started
	recap 1
	first=$(cat "$S/svc.pid")
	echo "$first" >> "$pids"
	kill -0 "$first"

	play restart-service.yml -e "@$S/vars.json" --check
	recap 1
	[[ $output == *"svc: would be restarted (pid $first)"* ]]
	[ "$(cat "$S/svc.pid")" = "$first" ]

	play restart-service.yml -e "@$S/vars.json"
	recap 2
	second=$(cat "$S/svc.pid")
	echo "$second" >> "$pids"
	[[ $output == *"svc: pid $first -> $second"* ]]
	[ "$second" != "$first" ]
	exited "$first"
	kill -0 "$second"

	play restart-service.yml -e "@$S/vars.json" -e state=started
	recap 0
	[[ $output == *"svc: running, pid $second"* ]]
	[ "$(cat "$S/svc.pid")" = "$second" ]
}

@test "dns-record, samba-share, package-update in check mode: the diff or the plan, and nothing written" {
	printf '[global]\n   workgroup = WG\n\n[old]\n   path = /srv/old\n' > "$S/smb.conf"
	cat > "$S/vars.json" <<-EOF
		{"hostname": "web1.example.lan", "ip": "192.0.2.10",
		 "hosts_file": "$S/dnsmasq.hosts", "conf_file": "$S/dnsmasq.conf",
		 "share": "data", "share_path": "$S/share", "valid_users": ["alice", "@staff"],
		 "smb_conf": "$S/smb.conf", "packages": ["bash"], "update_cache": false,
		 "validate": false, "reload": false, "become_root": false}
	EOF
	# package-update needs python3-apt and the package lists, even in check mode.
	local apt=package-update.yml before dpkg
	/usr/bin/python3 -c 'import apt_pkg' 2> /dev/null || apt=
	ls /var/lib/apt/lists/*_Packages* > /dev/null 2>&1 || apt=
	before=$(listing)
	dpkg=$(md5sum /var/lib/dpkg/status)
	run ansible-playbook -i localhost, -c local --check --diff -e "@$S/vars.json" \
	    "$PB/dns-record.yml" "$PB/samba-share.yml" ${apt:+"$PB/$apt"}
	[ "$status" -eq 0 ]
	[[ $output == *"+192.0.2.10 web1.example.lan"* ]]
	[[ $output == *"+addn-hosts=$S/dnsmasq.hosts"* ]]
	[[ $output == *"+# BEGIN aiops share data"*"+[data]"*"+   path = $S/share"*"+   valid users = alice @staff"* ]]
	[ "$(listing)" = "$before" ]
	[ "$(md5sum /var/lib/dpkg/status)" = "$dpkg" ]
	[ -n "$apt" ] || skip "package-update: python3-apt or the apt package lists missing"
	[[ $output == *'TASK [Show the plan]'*'"upgrade": ['* ]]
}

@test "samba-user: the password reaches smbpasswd on stdin only, never argv nor output (stub tools)" {
	# pdbedit and smbpasswd are stand-ins that log their argv and stdin:
	# the real ones need root and Samba. ansible-playbook is the real one.
	mkdir "$S/bin"
	cat > "$S/bin/pdbedit" <<-EOF
		#!/bin/sh
		echo "pdbedit \$*" >> "$S/argv"
		[ -f "$S/added" ] && [ "\$*" = "-s $S/smb.conf -L" ] && echo 'alice:1001:'
		exit 0
	EOF
	cat > "$S/bin/smbpasswd" <<-EOF
		#!/bin/sh
		echo "smbpasswd \$*" >> "$S/argv"
		cat >> "$S/stdin"
		touch "$S/added"
	EOF
	chmod +x "$S/bin/pdbedit" "$S/bin/smbpasswd"
	printf '{"samba_password": "s3cret-$(id)-pw"}\n' > "$S/secret.json"
	chmod 600 "$S/secret.json"
	PATH="$S/bin:$PATH" run ansible-playbook -i localhost, -c local -v "$PB/samba-user.yml" \
	    -e "@$S/secret.json" -e username=alice -e "smb_conf=$S/smb.conf" -e become_root=false
	recap 1
	[[ $output != *s3cret* ]]
	[[ $output == *"alice: was not a Samba user; now present"* ]]
	[ "$(cat "$S/argv")" = "pdbedit -s $S/smb.conf -L
smbpasswd -c $S/smb.conf -s -a alice" ]
	[ "$(cat "$S/stdin")" = 's3cret-$(id)-pw
s3cret-$(id)-pw' ]
}

#!/usr/bin/env bats
# aiops-ingest -f syslog on what devices send: RFC 3164 without a year
# (the year nearest to the clock, wall or event), without PRI (4.3.3),
# without a header (4.3.2), with unpadded days; Cisco IOS, ASA, NX-OS and
# IOS XR lines; rsyslog's RFC 3339 file format. The clock of the suite is
# AIOPS_NOW=2026-11-22T12:00:00Z (test_helper.bash).
setup() {
	load test_helper
}

# one LINE [ARGS...]: ingest one line with -f syslog; $output is its event.
one() {
	local line=$1; shift
	run -0 --separate-stderr aiops-ingest -f syslog "$@" <<<"$line"
	[ "$(wc -l <<<"$output")" -eq 1 ]
}

# is FILTER VALUE: jq -r FILTER of $output is VALUE.
is() {
	local got
	got=$(jq -r "$1" <<<"$output")
	if [ "$got" != "$2" ]; then
		printf '%s: got [%s], want [%s]\n' "$1" "$got" "$2" >&2
		return 1
	fi
}

# ts FILE ARGS...: the times aiops-ingest -f syslog gives, on one line.
ts() {
	local f=$1; shift
	aiops-ingest -f syslog "$@" "$f" | jq -r .ts | paste -sd ' '
}

# ---- the year of a BSD time (sl11) ----

@test "year: New Year on the wall clock, a sender a few seconds ahead (sl11)" {
	printf '%s\n' '<13>Dec 31 23:59:58 host1 app: written just before midnight' \
	    '<13>Jan  1 00:00:01 host1 app: written just after midnight' > "$BATS_TEST_TMPDIR/ny.log"
	export AIOPS_NOW=2026-12-31T23:59:50Z
	[ "$(ts "$BATS_TEST_TMPDIR/ny.log")" = "2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z" ]
	[ "$(ts "$BATS_TEST_TMPDIR/ny.log" --clock event)" = "2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z" ]
	one '<13>Jan  1 00:00:01 host1 app: written just after midnight'
	is .ts 2027-01-01T00:00:01.000Z
	is .host host1
	is .service app
	is .severity notice
	is .labels.facility user
	is .message 'written just after midnight'
}

@test "year: a log of late December read in early January, both clocks" {
	printf '%s\n' 'Dec 30 10:00:00 h app: a' 'Dec 31 23:59:58 h app: b' \
	    'Jan  1 00:00:01 h app: c' 'Jan  2 08:00:00 h app: d' > "$BATS_TEST_TMPDIR/dec.log"
	want="2026-12-30T10:00:00.000Z 2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z 2027-01-02T08:00:00.000Z"
	export AIOPS_NOW=2027-01-03T10:00:00Z
	[ "$(ts "$BATS_TEST_TMPDIR/dec.log")" = "$want" ]
	[ "$(ts "$BATS_TEST_TMPDIR/dec.log" --clock event)" = "$want" ]
}

@test "year: a log of early January read on Dec 31, both clocks" {
	printf '%s\n' '<14>Jan  1 00:00:01 h app: a' '<14>Jan  2 12:30:00 h app: b' > "$BATS_TEST_TMPDIR/jan.log"
	want="2027-01-01T00:00:01.000Z 2027-01-02T12:30:00.000Z"
	export AIOPS_NOW=2026-12-31T22:00:00Z
	[ "$(ts "$BATS_TEST_TMPDIR/jan.log")" = "$want" ]
	[ "$(ts "$BATS_TEST_TMPDIR/jan.log" --clock event)" = "$want" ]
}

@test "year: on the event clock a replay goes on into the next year; the wall clock places each line alone" {
	printf '%s\n' 'Jul 20 10:00:00 h app: a' 'Sep 30 10:00:00 h app: b' 'Dec 31 23:59:58 h app: c' \
	    'Jan  1 00:00:01 h app: d' 'Mar  1 00:00:01 h app: e' > "$BATS_TEST_TMPDIR/long.log"
	export AIOPS_NOW=2026-07-20T00:00:00Z
	# The first line against AIOPS_NOW, each next one against the line before.
	[ "$(ts "$BATS_TEST_TMPDIR/long.log" --clock event)" = "2026-07-20T10:00:00.000Z 2026-09-30T10:00:00.000Z 2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z 2027-03-01T00:00:01.000Z" ]
	# On the wall clock, March is nearer this year's (4.5 months back).
	[ "$(ts "$BATS_TEST_TMPDIR/long.log")" = "2026-07-20T10:00:00.000Z 2026-09-30T10:00:00.000Z 2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z 2026-03-01T00:00:01.000Z" ]
}

@test "year: an RFC 3339 line sets the stream's time for the BSD lines after it (event clock)" {
	printf '%s\n' '2026-12-31T23:59:59Z h app: a' 'Jan  1 00:00:02 h app: b' > "$BATS_TEST_TMPDIR/mix.log"
	export AIOPS_NOW=2026-06-15T00:00:00Z
	[ "$(ts "$BATS_TEST_TMPDIR/mix.log" --clock event)" = "2026-12-31T23:59:59.000Z 2027-01-01T00:00:02.000Z" ]
	[ "$(ts "$BATS_TEST_TMPDIR/mix.log")" = "2026-12-31T23:59:59.000Z 2026-01-01T00:00:02.000Z" ]
}

@test "year: on the event clock each input's first line is placed against the wall clock" {
	printf '%s\n' 'Dec 31 23:59:58 h app: a' 'Jan  1 00:00:01 h app: b' > "$BATS_TEST_TMPDIR/a.log"
	printf '%s\n' 'Dec 31 10:00:00 h app: c' > "$BATS_TEST_TMPDIR/b.log"
	export AIOPS_NOW=2026-12-31T23:59:50Z
	run -0 aiops-ingest -f syslog --clock event "$BATS_TEST_TMPDIR/a.log" "$BATS_TEST_TMPDIR/b.log"
	# b.log is not placed against a.log's 2027-01-01.
	[ "$(jq -r .ts <<<"$output" | paste -sd ' ')" = "2026-12-31T23:59:58.000Z 2027-01-01T00:00:01.000Z 2026-12-31T10:00:00.000Z" ]
}

@test "year: Feb 29 goes to the nearest year that has one" {
	one 'Feb 29 12:00:00 h app: x' --clock event
	is .ts 2028-02-29T12:00:00.000Z
	AIOPS_NOW=2025-01-10T00:00:00Z one 'Feb 29 12:00:00 h app: x'
	is .ts 2024-02-29T12:00:00.000Z
	AIOPS_NOW=2028-12-30T00:00:00Z one '<13>Feb 29 12:00:00 h app: x'
	is .ts 2028-02-29T12:00:00.000Z
	# Feb 28 and Mar 1 stay this year.
	AIOPS_NOW=2025-01-10T00:00:00Z one 'Mar  1 00:00:00 h app: x'
	is .ts 2025-03-01T00:00:00.000Z
}

@test "year: a year written in the time is kept (Cisco ASA, NX-OS)" {
	AIOPS_NOW=2030-01-01T00:00:00Z one '<166>Nov 20 2026 22:23:27: %ASA-6-302013: Built outbound TCP connection'
	is .ts 2026-11-20T22:23:27.000Z
	AIOPS_NOW=2030-01-01T00:00:00Z one '<189>: 2024 Feb 29 22:23:27 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up'
	is .ts 2024-02-29T22:23:27.000Z
}

# ---- RFC 3164 4.3.3: no PRI (sl01) ----

@test "no PRI: facility user, severity notice (sl01)" {
	one 'Nov  8 16:48:11 node-01 auditd[38707]: Audit daemon rotating log files'
	is .ts 2026-11-08T16:48:11.000Z
	is .host node-01
	is .service auditd
	is .severity notice
	is .labels.facility user
	is .labels.pid 38707
	is .message 'Audit daemon rotating log files'
	one 'Nov 22 06:25:02 web-1 systemd[1]: Started Daily apt upgrade and clean activities.'
	is .severity notice
	is .labels.facility user
	one '2026-11-22T08:00:00Z web-1 sshd[812]: Accepted publickey for ops'
	is .severity notice
	is .labels.facility user
}

@test "no PRI: a level word in the message still says more than the default" {
	one 'Nov 22 07:00:00 web-1 kernel: [   12.5] ERROR: nvme0n1: I/O timeout'
	is .severity error
	is .labels.facility user
	one 'Nov 22 07:00:00 web-1 app: [debug] cache warm'
	is .severity debug
	# With a PRI, the PRI says it.
	one '<14>Nov 22 07:00:00 web-1 app: ERROR in the text'
	is .severity info
}

# ---- unpadded days (sl02) ----

@test "day: 'Nov 8' accepted as rsyslog and syslog-ng do (sl02)" {
	printf '%s\n' '<34>Nov  4 13:51:20 mymachine su[77042]: su root failed for user1 on /dev/pts/8' \
	    '<181>Nov 8 18:11:57 ise-1 CISE_Failed_Attempts 000231543 1 0 Failed-Attempt: Authentication failed' \
	    > "$BATS_TEST_TMPDIR/sl02.log"
	run -0 --separate-stderr aiops-ingest -f syslog "$BATS_TEST_TMPDIR/sl02.log"
	[ -z "$stderr" ]
	output=$(sed -n 2p <<<"$output")
	is .ts 2026-11-08T18:11:57.000Z
	is .host ise-1
	is .severity notice
	is .labels.facility local6
	is '.service // "none"' none
	is .message 'CISE_Failed_Attempts 000231543 1 0 Failed-Attempt: Authentication failed'
}

@test "day: 'Nov  8', 'Nov 8' and 'Nov 08' are the same day, with and without PRI" {
	for d in 'Nov  8' 'Nov 8' 'Nov 08' '<13>Nov  8' '<13>Nov 8' '<13>Nov 08'; do
		one "$d 09:10:11 web-1 cron[5]: tick"
		is .ts 2026-11-08T09:10:11.000Z
		is .host web-1
		is .service cron
		is .labels.pid 5
		is .message tick
	done
	one '<13>Dec 1 00:00:00 h app: first of December'
	is .ts 2026-12-01T00:00:00.000Z
}

# ---- RFC 3339 without PRI, rsyslog's file format (sl07) ----

@test "rfc3339: rsyslog's file format, fractions and offsets (sl07)" {
	one '2026-11-20T00:00:45.738158+00:00 localhost systemd[1]: Reloaded System Logging Service.'
	is .ts 2026-11-20T00:00:45.738158Z
	is .host localhost
	is .service systemd
	is .labels.pid 1
	is .severity notice
	is .message 'Reloaded System Logging Service.'
	one '<15>2026-11-20T03:03:01.219558+02:00 host1 user1: test 123'
	is .ts 2026-11-20T01:03:01.219558Z
	is .host host1
	is .service user1
	is .severity debug
	is .message 'test 123'
	one '2026-11-20T09:30:00.5-05:30 db-1 postgres[77]: checkpoint complete'
	is .ts 2026-11-20T15:00:00.500Z
	is .labels.pid 77
	one '2026-11-20T09:30:00Z db-1 kernel: usb 1-1: new device'
	is .ts 2026-11-20T09:30:00.000Z
	is .service kernel
	is .message 'usb 1-1: new device'
}

# ---- Cisco (sl08) ----

@test "cisco: IOS sequence number, milliseconds, zone and %FAC-SEV-MNEMONIC (sl08)" {
	one '<190>589265: Nov  8 18:55:31.306: %SEC-6-IPACCESSLOGP: list 177 denied udp 10.0.0.1(53640) -> 10.0.0.255(15600), 1 packet'
	is .ts 2026-11-08T18:55:31.306Z
	is .labels.seq 589265
	is .service SEC
	is .labels.mnemonic IPACCESSLOGP
	is .severity info
	is .labels.facility local7
	is '.host // "none"' none
	is .message 'list 177 denied udp 10.0.0.1(53640) -> 10.0.0.255(15600), 1 packet'
	one '<189>7662: Nov 20 22:23:27.921 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin]'
	is .ts 2026-11-20T22:23:27.921Z
	is .labels.seq 7662
	is .service SEC_LOGIN
	is .labels.mnemonic LOGIN_SUCCESS
	is .severity notice
	is '.labels.tz // "none"' none
	is .message 'Login Success [user: admin]'
}

@test "cisco: the severity is SEV, whatever the PRI says" {
	one '<190>12: Nov 20 22:23:27.921: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to down'
	is .severity notice
	is .labels.facility local7
	one '<189>13: Nov 20 22:23:28.001: %SYS-2-MALLOCFAIL: Memory allocation of 65536 bytes failed'
	is .severity critical
	is .service SYS
	is .labels.mnemonic MALLOCFAIL
}

@test "cisco: unsynchronised clocks, two counters, a zone word, no time" {
	one '<189>14: 000013: *Nov 20 00:05:12.123: %SYS-5-CONFIG_I: Configured from console by console'
	is .ts 2026-11-20T00:05:12.123Z
	is .labels.seq 14
	is .labels.seqno 000013
	is .service SYS
	is .message 'Configured from console by console'
	one '<189>15: .Nov 20 22:23:27.921 CET: %SYS-5-CONFIG_I: Configured'
	is .ts 2026-11-20T22:23:27.921Z
	is .labels.tz CET
	one '<187>1234: %LINK-3-UPDOWN: Interface GigabitEthernet0/2, changed state to down'
	is .ts 2026-11-22T12:00:00.000Z
	is .labels.seq 1234
	is .service LINK
	is .labels.mnemonic UPDOWN
	is .severity error
	is .message 'Interface GigabitEthernet0/2, changed state to down'
	one '<187>%LINK-3-UPDOWN: Interface Gi0/3, changed state to up'
	is .service LINK
	is .severity error
	is '.labels.seq // "none"' none
	is .message 'Interface Gi0/3, changed state to up'
}

@test "cisco: a hostname in the syslog header before the sequence number, and relayed lines" {
	one '<189>Nov 20 22:23:27 router1 1234: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down'
	is .ts 2026-11-20T22:23:27.000Z
	is .host router1
	is .labels.seq 1234
	is .service LINK
	is .labels.mnemonic UPDOWN
	is .severity error
	is .message 'Interface GigabitEthernet0/1, changed state to down'
	# rsyslog's file: its header, then the device's own time (with its milliseconds) ...
	one 'Nov 20 22:23:28 router1 1235: Nov 20 22:23:27.921 UTC: %LINK-5-CHANGED: Interface Gi0/1, changed state to administratively down'
	is .ts 2026-11-20T22:23:27.921Z
	is .host router1
	is .labels.seq 1235
	is .severity notice
	is .message 'Interface Gi0/1, changed state to administratively down'
	# ... unless the device says its clock is not set.
	one 'Nov 20 22:23:28 router1 1236: *Mar  1 00:05:12.123: %SYS-5-CONFIG_I: Configured'
	is .ts 2026-11-20T22:23:28.000Z
	is .service SYS
	is .message Configured
	one '<189>Nov 20 22:23:27 router1 %SYS-5-RESTART: System restarted'
	is .host router1
	is .service SYS
	is .labels.mnemonic RESTART
}

@test "cisco: ASA, NX-OS and IOS XR" {
	one '<166>%ASA-6-302013: Built outbound TCP connection 123 for outside:1.2.3.4/443'
	is .ts 2026-11-22T12:00:00.000Z
	is .service ASA
	is .labels.mnemonic 302013
	is .severity info
	is .labels.facility local4
	is .message 'Built outbound TCP connection 123 for outside:1.2.3.4/443'
	one '<164>Nov 20 2026 22:23:27 fw1 : %ASA-4-106023: Deny tcp src outside:10.0.0.1/1234'
	is .ts 2026-11-20T22:23:27.000Z
	is .host fw1
	is .severity warning
	is .message 'Deny tcp src outside:10.0.0.1/1234'
	one '<189>: 2026 Nov 20 22:23:27 UTC: %ETHPORT-5-IF_UP: Interface Ethernet1/1 is up in mode access'
	is .ts 2026-11-20T22:23:27.000Z
	is .service ETHPORT
	is .labels.mnemonic IF_UP
	is .message 'Interface Ethernet1/1 is up in mode access'
	one '<187>1: RP/0/RSP0/CPU0:Nov 20 22:23:27.921 UTC: ifmgr[245]: %PKT_INFRA-LINK-3-UPDOWN : Interface GigabitEthernet0/0/0/1, changed state to Down'
	is .ts 2026-11-20T22:23:27.921Z
	is .labels.seq 1
	is .labels.node RP/0/RSP0/CPU0
	is .labels.process ifmgr
	is .labels.pid 245
	is .service PKT_INFRA-LINK
	is .labels.mnemonic UPDOWN
	is .severity error
	is .message 'Interface GigabitEthernet0/0/0/1, changed state to Down'
}

@test "cisco: what only looks like a mnemonic stays in the message" {
	one '<13>Nov 20 22:23:27 h app: %SEC-9-FOO: no severity 9'
	is .service app
	is .severity notice
	is .message '%SEC-9-FOO: no severity 9'
	one '<13>%% not a mnemonic'
	is .message '%% not a mnemonic'
	one '<13>%SEC-6-: no mnemonic'
	is .message '%SEC-6-: no mnemonic'
}

# ---- PRI then free text, no header at all (sl09, RFC 3164 4.3.2) ----

@test "cisco: logging origin-id hostname names the device after the sequence number" {
	one '<189>45: sw1: Nov 20 10:00:00.123 UTC: %SYS-5-CONFIG_I: Configured from console by admin on vty0'
	is .ts 2026-11-20T10:00:00.123Z
	is .host sw1
	is .labels.seq 45
	is .service SYS
	is .labels.mnemonic CONFIG_I
	is .severity notice
	is .message 'Configured from console by admin on vty0'
	one '<187>76: R1: *Nov 20 00:48:41.283: %LINK-3-UPDOWN: Interface Gi0/1, changed state to up'
	is .host R1
	is .ts 2026-11-20T00:48:41.283Z
	is .service LINK
	is .message 'Interface Gi0/1, changed state to up'
	# A relay's header keeps its host; the device's own time still wins.
	one 'Nov 20 10:00:01 10.0.0.1 46: sw1: Nov 20 10:00:00.500: %SYS-5-CONFIG_I: Configured'
	is .host 10.0.0.1
	is .ts 2026-11-20T10:00:00.500Z
	is .message Configured
}

@test "devices: Aruba's year after the time, UniFi's name,mac,firmware host, MikroTik's topics" {
	one '<134>Apr 21 11:47:39 2025 10.1.1.1 authmgr[1877]: <522008> <NOTI> User Authentication Successful'
	is .ts 2025-04-21T11:47:39.000Z
	is .host 10.1.1.1
	is .service authmgr
	is .labels.pid 1877
	is .message '<522008> <NOTI> User Authentication Successful'
	one '<13>Nov 20 10:00:00 U6-Lite-BZ,f09fc2aabbcc,v6.5.28.14491: hostapd: ath0: STA aa:bb:cc:dd:ee:ff IEEE 802.11: associated'
	is .ts 2026-11-20T10:00:00.000Z
	is .host U6-Lite-BZ
	is .service hostapd
	is .message 'ath0: STA aa:bb:cc:dd:ee:ff IEEE 802.11: associated'
	one '<30>Nov 20 10:00:00 MikroTik system,info account user admin logged in'
	is .host MikroTik
	is .service system
	is .labels.topics system,info
	is .severity info
	is .labels.facility daemon
	is .message 'account user admin logged in'
	one '<28>Nov 20 10:00:01 gw1 firewall,warning,critical input: in:ether1 out:(unknown 0)'
	is .service firewall
	is .labels.topics firewall,warning,critical
	is .message 'input: in:ether1 out:(unknown 0)'
	# Words with commas that name no level are the message.
	one '<30>Nov 20 10:00:02 gw1 alpha,beta gamma'
	is '.service // "none"' none
	is .message 'alpha,beta gamma'
}

@test "lenient RFC 3164: a space after the PRI, a tag[pid] without its colon" {
	one '<13> Nov 20 09:15:02 host1 app: space after pri'
	is .ts 2026-11-20T09:15:02.000Z
	is .host host1
	is .service app
	is .message 'space after pri'
	one '<13>Nov 20 09:15:02 host1 app[1] no colon here'
	is .host host1
	is .service app
	is .labels.pid 1
	is .message 'no colon here'
	# Without a pid in brackets a word is no tag: it stays in the message.
	one '<13>Nov 20 09:15:02 host1 app no colon here'
	is '.service // "none"' none
	is .message 'app no colon here'
	# A space after the PRI and no time: the rest is the message, as it is.
	one '<13> free text'
	is .message ' free text'
}

@test "FortiGate: key=value only: the time from date, time and tz, the host from devname" {
	one '<189>date=2026-11-20 time=10:00:00 devname="FG100" devid="FG100E" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" tz="-0700" srcip=10.0.0.1'
	is .ts 2026-11-20T17:00:00.000Z
	is .host FG100
	is .severity notice
	is .labels.facility local7
	is .message 'date=2026-11-20 time=10:00:00 devname="FG100" devid="FG100E" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" tz="-0700" srcip=10.0.0.1'
	one '<190>date=2026-11-20 time=10:00:01 devname=FG200 devid=FG200E type=event'
	is .ts 2026-11-20T10:00:01.000Z
	is .host FG200
	# No such time: the time of receipt.
	one '<190>date=2026-11-20 time=25:00:00 devname=FG200 type=event'
	is .ts 2026-11-22T12:00:00.000Z
}

@test "file format: a host written as - is no host (RFC 3339 and BSD times)" {
	one '2026-11-20T09:15:02.123Z - sshd[1]: Accepted publickey'
	is .ts 2026-11-20T09:15:02.123Z
	is '.host // "none"' none
	is .service sshd
	is .labels.pid 1
	is .message 'Accepted publickey'
	one 'Nov 20 09:15:03 - cron[2]: job done'
	is '.host // "none"' none
	is .service cron
	one 'Nov 20 09:15:03 - cron[2]: job done' -H web-1
	is .host web-1
}

@test "no header: PRI then free text is the message, at the time of receipt (sl09)" {
	printf '%s\n' '<38>User logged into the appliance. User: admin.' \
	    '<30>Network link has gone down on interface 1.' > "$BATS_TEST_TMPDIR/sl09.log"
	run -0 --separate-stderr aiops-ingest -f syslog "$BATS_TEST_TMPDIR/sl09.log"
	[ -z "$stderr" ]
	[ "$(jq -r .ts <<<"$output" | paste -sd ' ')" = "2026-11-22T12:00:00.000Z 2026-11-22T12:00:00.000Z" ]
	[ "$(jq -r .labels.facility <<<"$output" | paste -sd ' ')" = "auth daemon" ]
	[ "$(jq -r .severity <<<"$output" | paste -sd ' ')" = "info info" ]
	[ "$(jq -r '.host // "none"' <<<"$output" | paste -sd ' ')" = "none none" ]
	[ "$(jq -r '.service // "none"' <<<"$output" | paste -sd ' ')" = "none none" ]
	[ "$(jq -r .message <<<"$output" | sed -n 1p)" = "User logged into the appliance. User: admin." ]
	[ "$(jq -r .message <<<"$output" | sed -n 2p)" = "Network link has gone down on interface 1." ]
}

@test "no header: --host fills the host; --clock event takes the stream's time" {
	one '<11>Disk failure on bay 3' --host nas-1
	is .host nas-1
	is .severity error
	is .message 'Disk failure on bay 3'
	printf '%s\n' '<13>Nov 20 10:00:00 h app: first' '<11>Disk failure on bay 3' > "$BATS_TEST_TMPDIR/ev.log"
	run -0 aiops-ingest -f syslog --clock event "$BATS_TEST_TMPDIR/ev.log"
	[ "$(jq -r .ts <<<"$output" | paste -sd ' ')" = "2026-11-20T10:00:00.000Z 2026-11-20T10:00:00.000Z" ]
}

@test "no header: without PRI and time a line is a message with RFC 3164's defaults" {
	one 'just some text: with a colon'
	is .ts 2026-11-22T12:00:00.000Z
	is .severity notice
	is .labels.facility user
	is '.service // "none"' none
	is .message 'just some text: with a colon'
	one '<14>Error: disk full'
	is .severity info
	is .message 'Error: disk full'
}

@test "no header: a time that does not exist keeps the whole line as the message, shown at -v" {
	run -0 --separate-stderr aiops-ingest -f syslog -v <<-'EOF'
	<13>Nov 31 11:00:00 web-1 app: no such date
	<13>Nov 22 25:00:00 web-1 app: no such hour
	<13>2026-13-01T00:00:00Z web-1 app: no such month
	<13>Nov 22 11:0
	<166>Nov 20 9999 22:23:27: %ASA-6-302013: past what int64 nanoseconds reach
	EOF
	[ "$(jq -r .message <<<"$output" | paste -sd '|')" = "Nov 31 11:00:00 web-1 app: no such date|Nov 22 25:00:00 web-1 app: no such hour|2026-13-01T00:00:00Z web-1 app: no such month|Nov 22 11:0|Nov 20 9999 22:23:27: %ASA-6-302013: past what int64 nanoseconds reach" ]
	[ "$(jq -r .ts <<<"$output" | sort -u)" = 2026-11-22T12:00:00.000Z ]
	[ "$(jq -r .severity <<<"$output" | paste -sd " ")" = "notice notice notice notice info" ]
	[[ $stderr == *"(stdin):1: no such date or time at column 5: the line is the message, at the time of receipt"* ]]
	[[ $stderr == *"(stdin):2: no such date or time at column 5"* ]]
	[[ $stderr == *"(stdin):3: bad RFC 3339 time at column 5"* ]]
	[[ $stderr == *"(stdin):5: no such date or time at column 6"* ]]
	[[ $stderr != *skipped* ]]
}

@test "errors: a broken PRI is still an error, with its column; the rest flows" {
	run -65 --separate-stderr aiops-ingest -f syslog <<-'EOF'
	<13>Nov 22 11:00:00 h app: good
	<192>Nov 22 11:00:00 h app: out of range
	<abc>Nov 22 11:00:00 h app: not a number
	<13
	<14>Nov 22 11:00:01 h app: good too
	EOF
	[ "$(jq -r .message <<<"$output" | paste -sd ' ')" = "good good too" ]
	[[ $stderr == *"(stdin):2: skipped: PRI 192 out of range (0-191) at column 2"* ]]
	[[ $stderr == *"(stdin):3: skipped: bad PRI (expected <0-191>) at column 2"* ]]
	[[ $stderr == *"(stdin):4: skipped: bad PRI (expected <0-191>) at column 4"* ]]
	[[ $stderr == *"3 lines skipped"* ]]
}

@test "hostile: huge and odd lines neither crash nor lose the good ones" {
	{
		printf '<13>%s\n' "$(head -c 200000 /dev/zero | tr '\0' '9')"
		printf '<13>%s: x\n' "$(head -c 5000 /dev/zero | tr '\0' '7')"
		printf '<13>Nov 20 22:23:27.%s: x\n' "$(head -c 50 /dev/zero | tr '\0' '1')"
		printf '<13>%%%s-3-X: x\n' "$(head -c 5000 /dev/zero | tr '\0' 'A')"
		printf '<13>RP/0/%s:Nov 20 22:23:27: x\n' "$(head -c 5000 /dev/zero | tr '\0' '/')"
		printf '<13>*\n<13>.\n<13>:\n<13>: \n<13>1: \n'
		printf '<13>Nov 22 11:00:00 h app: last\n'
	} > "$BATS_TEST_TMPDIR/hostile.log"
	run -0 --separate-stderr aiops-ingest -f syslog "$BATS_TEST_TMPDIR/hostile.log"
	[ "$(wc -l <<<"$output")" -eq 11 ]
	[ "$(jq -r .message <<<"$output" | tail -1)" = last ]
	# A fraction finer than a nanosecond is not a time.
	[ "$(jq -r .ts <<<"$output" | sed -n 3p)" = 2026-11-22T12:00:00.000Z ]
}

@test "devices: a mixed file of what the field sends, every line kept as expected" {
	run -0 --separate-stderr aiops-ingest -f syslog "$FIXTURES/ingest/syslog-devices.log"
	[ -z "$stderr" ]
	diff -u "$FIXTURES/ingest/syslog-devices.expected" <(printf '%s\n' "$output")
}

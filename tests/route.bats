#!/usr/bin/env bats
# lib/notify/route against the real Alertmanager: one routing tree written
# as an Alertmanager configuration and as an aiops one (the same YAML under
# notify:), and for each label set the receivers amtool names (Debian
# prometheus-alertmanager, `amtool config routes test`) must be the ones
# tests/unit/route_probe names, in the same order. Skipped when amtool is
# not installed.

setup() {
	load test_helper
	AMTOOL=$(command -v amtool) || skip "amtool (prometheus-alertmanager) is not installed"
	PROBE="${AIOPS_BUILDDIR:-$BATS_TEST_DIRNAME/..}/tests/unit/route_probe"
	[ -x "$PROBE" ] || skip "tests/unit/route_probe is not built (make check builds it)"
	AM="$BATS_TEST_TMPDIR/am.yml"
	OURS="$BATS_TEST_TMPDIR/aiops.yaml"
	write_configs
}

# The tree (the same text for both): nesting, continue at several levels, the deprecated match and
# match_re, every operator, an empty-value matcher, a set in one string.
route_yaml() {
	cat <<'YAML'
route:
  receiver: default
  group_by: [alertname]
  routes:
    - receiver: audit
      matchers: [audit!=""]
      continue: true
    - receiver: db
      matchers: [team=db]
      routes:
        - receiver: db-pager
          matchers: ['severity=~"critical|page"']
          continue: true
        - receiver: db-mail
          match: {severity: warning}
        - receiver: db-oncall
          matchers: ['{env="prod", severity!~"info|debug"}']
    - receiver: web
      match_re: {team: "web|frontend"}
      continue: true
      routes:
        - receiver: web-eu
          matchers: ['region=~"eu-.*"']
        - receiver: web-us
          matchers: ['region=~"us-.*"', 'env!="dev"']
    - receiver: web-all
      matchers: ['team=~"web.*"']
    - receiver: no-team
      matchers: ['team=""', 'severity="critical"']
    - receiver: silent
      matchers: ['severity!~".+"']
receivers:
  - name: default
  - name: audit
  - name: db
  - name: db-pager
  - name: db-mail
  - name: db-oncall
  - name: web
  - name: web-eu
  - name: web-us
  - name: web-all
  - name: no-team
  - name: silent
YAML
}

# write_configs [SED-EXPR]: the tree, edited by SED-EXPR, in both files.
write_configs() {
	route_yaml | sed -e "${1:-}" > "$AM"
	{
		echo "notify:"
		sed 's/^/  /' "$AM"
	} > "$OURS"
}

# parity LABEL...: amtool and route_probe name the same receivers.
parity() {
	local am ours
	am=$("$AMTOOL" config routes test --config.file="$AM" "$@" 2>/dev/null) || am="error: $?"
	ours=$("$PROBE" "$OURS" "$@")
	if [ "$am" != "$ours" ]; then
		echo "labels: $*"
		echo "amtool: $am"
		echo "ours:   $ours"
		return 1
	fi
	[ -n "$ours" ]
}

@test "both configurations are valid" {
	run "$AMTOOL" check-config "$AM"
	[ "$status" -eq 0 ]
	run "$PROBE" "$OURS" a=b
	[ "$status" -eq 0 ]
	[ "$output" = silent ]
}

@test "no labels: the root" { parity; }
@test "an unknown team: the root" { parity team=mail; }
@test "team=db, no severity: db itself" { parity team=db; }
@test "db critical: db-pager continues to db-oncall? no, env unset" { parity team=db severity=critical; }
@test "db critical in prod: db-pager then db-oncall" { parity team=db severity=critical env=prod; }
@test "db page in prod" { parity team=db severity=page env=prod; }
@test "db warning: the deprecated match" { parity team=db severity=warning; }
@test "db warning in prod: db-mail stops the search" { parity team=db severity=warning env=prod; }
@test "db info in prod: !~ refuses it" { parity team=db severity=info env=prod; }
@test "db error in prod: db-oncall" { parity team=db severity=error env=prod; }
@test "audit set: audit continues to the root's choice" { parity audit=yes; }
@test "audit and db critical" { parity audit=yes team=db severity=critical env=prod; }
@test "audit empty is absent" { parity audit= team=db; }
@test "web eu: web-eu, then web-all after web's continue" { parity team=web region=eu-west; }
@test "frontend us prod: match_re alternation" { parity team=frontend region=us-east env=prod; }
@test "frontend us dev: env!=dev refuses" { parity team=frontend region=us-east env=dev; }
@test "web with no region: web itself, then web-all" { parity team=web; }
@test "webshop: match_re is anchored, web-all's =~ web.* takes it" { parity team=webshop region=eu-1; }
@test "team web-eu: only the prefix regex" { parity team=web-eu; }
@test "no team, critical: team=\"\" matches a missing team" { parity severity=critical; }
@test "empty team, critical" { parity team= severity=critical; }
@test "no team, warning: the root" { parity severity=warning; }
@test "nothing but an alertname: severity!~.+ takes it" { parity alertname=Foo; }
@test "audit, web, critical without team" { parity audit=1 team=web region=us-1 env=prod severity=critical; }
@test "a value with a space" { parity team=web 'region=eu-1 west'; }

@test "the group keys of a route taking the alert" {
	run "$PROBE" -k "$OURS" alertname=X team=db severity=critical env=prod
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '{}/{team="db"}/{severity=~"critical|page"}:{alertname="X"}' ]
	[ "${lines[1]}" = '{}/{team="db"}/{env="prod",severity!~"info|debug"}:{alertname="X"}' ]
}

@test "an undefined receiver: both refuse the configuration" {
	write_configs 's/receiver: silent/receiver: nobody/'
	run "$AMTOOL" check-config "$AM"
	[ "$status" -ne 0 ]
	run "$PROBE" "$OURS"
	[ "$status" -eq 2 ]
	[[ "$output" == *"aiops.yaml:31: notify.route.routes.5.receiver: undefined receiver 'nobody' used in route" ]]
}

@test "a root with matchers: both refuse the configuration" {
	write_configs 's/group_by: \[alertname\]/matchers: [a=b]/'
	run "$AMTOOL" check-config "$AM"
	[ "$status" -ne 0 ]
	run "$PROBE" "$OURS"
	[ "$status" -eq 2 ]
	[[ "$output" == *"aiops.yaml:2: notify.route: root route must not have any matchers" ]]
}

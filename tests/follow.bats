#!/usr/bin/env bats
setup() { load test_helper; }

@test "follow: placeholder until its tests land" {
	true
}

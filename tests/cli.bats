#!/usr/bin/env bats
setup() { load test_helper; }

@test "placeholder" {
	true
}

# Switchboard: `make run` serves on 127.0.0.1:8080 with the embedded SQLite file; `make test` runs the tests.
SWIFT ?= swift
ARGS ?=

.PHONY: setup build run test tsan browser-test format clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product switchboard

run: build
	.build/release/switchboard serve $(ARGS)

# The suite on SQLite, then again on a throwaway PostgreSQL cluster (skipped, saying so, without PostgreSQL).
test: setup
	$(SWIFT) test
	SWIFT=$(SWIFT) scripts/test-postgres.sh --skip-build

# The tests under ThreadSanitizer (a separate build, about 15 minutes on 2 cores). Tests that bound how long
# something takes are skipped: TSan slows everything 5–10 times.
tsan: setup
	TSAN_OPTIONS="suppressions=$(CURDIR)/scripts/tsan-suppressions.txt" $(SWIFT) test --sanitize=thread \
		--scratch-path .build-tsan --skip 'FaultTests|aSlowTargetDoesNotDelayAHealthyOne|theTriggerURLQueuesOneSyncThatConcurrentTriggersJoin'

# The web console end to end in headless Chromium; screenshots land in screenshots/.
browser-test: setup
	@scripts/setup-browser.sh
	$(SWIFT) build --product switchboard
	python3 scripts/browser-test.py .build/debug/switchboard

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build

# The two commands of the README: `make study` runs the whole study, `make test` runs the tests.
# Both install missing system packages first (scripts/setup.sh).

SWIFT ?= swift
RELEASE_BIN = .build/release/lstmlab

.PHONY: setup build study test benchmark benchmark-serve verify-keras

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product lstmlab

## Run the study and its follow-ups in both Keras profiles, archive every run, write notebooks-md/.
study: build
	$(RELEASE_BIN) study

## Run the test suite, with a single-node Slurm cluster up for the tests of `lstmlab slurm` (started before, stopped
## by its pid files after, whatever the outcome).
SLURM_STATE = $(CURDIR)/.build/slurm-cluster
test:
	@scripts/setup.sh test
	@scripts/slurm-cluster.sh start $(SLURM_STATE)
	@SLURM_CONF=$(SLURM_STATE)/slurm.conf $(SWIFT) test; status=$$?; scripts/slurm-cluster.sh stop $(SLURM_STATE); exit $$status

## Wall-clock benchmarks (release build): three invocations, each figure a median of several measurements.
benchmark: setup
	$(SWIFT) build -c release --product lstmlab-benchmark
	@rm -rf .build/benchmark-scratch && mkdir -p .build/benchmark-scratch
	@for i in 1 2 3; do echo "== invocation $$i"; .build/release/lstmlab-benchmark --archive --keep --scratch .build/benchmark-scratch || exit 1; done
	@rm -rf .build/benchmark-scratch

## `lstmlab serve`'s latencies over the full study's archive (written once to .build/serve-benchmark/, notebooks
## there too): three invocations, each figure a median of 7 requests; then the compare page in headless Chromium.
benchmark-serve: setup
	$(SWIFT) build -c release --product lstmlab
	$(SWIFT) build -c release --product lstmlab-benchmark
	@test -f .build/serve-benchmark/archive.sqlite || $(RELEASE_BIN) study --archive .build/serve-benchmark/archive.sqlite --notebooks .build/serve-benchmark/notebooks-md
	@for i in 1 2 3; do echo "== invocation $$i"; .build/release/lstmlab-benchmark --serve .build/serve-benchmark/archive.sqlite --samples 7 || exit 1; \
	  python3 scripts/serve_timing.py --archive .build/serve-benchmark/archive.sqlite --samples 5 || exit 1; done

## Check against every shipped Keras reference dump.
verify-keras: build
	@for dump in Tests/LSTMLabTests/Fixtures/keras-*.json; do echo "== $$dump"; $(RELEASE_BIN) verify-keras "$$dump" || exit 1; done

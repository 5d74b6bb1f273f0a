# The two commands of the README: `make study` runs the whole study, `make test` runs the tests; `make install`
# installs the command. They install missing system packages first (scripts/setup.sh).

SWIFT ?= swift
# The Swift runtime and Foundation are linked into the binary by Package.swift (`-static-stdlib` on the `lstmlab`
# target), in every build: it runs where libhdf5 and libsqlite3 are, with no Swift. SwiftPM's --static-swift-stdlib
# is not used: it compiles every module differently, so each build without it (the manual's plugin, `swift build`)
# would rebuild everything, and then each build with it again.
RELEASE_BUILD = $(SWIFT) build -c release
RELEASE_BIN = .build/release/lstmlab
# Where `make install` puts the command (PREFIX/bin), its shell completions and manual page (PREFIX/share); DESTDIR,
# when given, is prepended to every path (a staging folder for a package).
PREFIX ?= /usr/local
DESTDIR ?=
# The manual page, written by swift-argument-parser's plugin from the commands' help.
MANUAL = .build/plugins/GenerateManual/outputs/lstmlab/lstmlab.1

.PHONY: setup build manual install uninstall study test benchmark benchmark-serve verify-keras

setup:
	@scripts/setup.sh

build: setup
	$(RELEASE_BUILD) --product lstmlab

manual: build
	$(SWIFT) package generate-manual --configuration release

## Install the binary, bash, zsh and fish completions and the manual page under $(DESTDIR)$(PREFIX), listing every file
## and folder it makes in share/lstmlab/install-manifest.txt; `make uninstall` removes exactly those.
install: build manual
	@scripts/install.sh install "$(DESTDIR)$(PREFIX)" "$(RELEASE_BIN)" "$(MANUAL)"

uninstall:
	@scripts/install.sh uninstall "$(DESTDIR)$(PREFIX)"

## Run the study and its follow-ups in both Keras profiles, archive every run, write notebooks-md/.
study: build
	$(RELEASE_BIN) study

## Run the test suite, with a single-node Slurm cluster up for the tests of `lstmlab slurm` (started before, stopped
## by its pid files after, whatever the outcome).
SLURM_STATE = $(CURDIR)/.build/slurm-cluster
test:
	@scripts/setup.sh test
	@scripts/slurm-cluster.sh start "$(SLURM_STATE)"
	@SLURM_CONF="$(SLURM_STATE)/slurm.conf" $(SWIFT) test; status=$$?; scripts/slurm-cluster.sh stop "$(SLURM_STATE)"; exit $$status

## Wall-clock benchmarks (release build): three invocations, each figure a median of several measurements.
benchmark: setup
	$(RELEASE_BUILD) --product lstmlab-benchmark
	@rm -rf .build/benchmark-scratch && mkdir -p .build/benchmark-scratch
	@for i in 1 2 3; do echo "== invocation $$i"; .build/release/lstmlab-benchmark --archive --keep --scratch .build/benchmark-scratch || exit 1; done
	@rm -rf .build/benchmark-scratch

## `lstmlab serve`'s latencies over the full study's archive (written once to .build/serve-benchmark/, notebooks
## there too): three invocations, each figure a median of 7 requests; then the compare page in headless Chromium.
benchmark-serve: setup
	$(RELEASE_BUILD) --product lstmlab
	$(RELEASE_BUILD) --product lstmlab-benchmark
	@test -f .build/serve-benchmark/archive.sqlite || $(RELEASE_BIN) study --archive .build/serve-benchmark/archive.sqlite --notebooks .build/serve-benchmark/notebooks-md
	@for i in 1 2 3; do echo "== invocation $$i"; .build/release/lstmlab-benchmark --serve .build/serve-benchmark/archive.sqlite --samples 7 || exit 1; \
	  python3 scripts/serve_timing.py --archive .build/serve-benchmark/archive.sqlite --samples 5 || exit 1; done

## Check against every shipped Keras reference dump.
verify-keras: build
	@for dump in Tests/LSTMLabTests/Fixtures/keras-*.json; do echo "== $$dump"; $(RELEASE_BIN) verify-keras "$$dump" || exit 1; done

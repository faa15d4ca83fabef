# greenlight — the commands a person types. CMake does the building.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
RELEASE_DIR ?= build-release
DIST_DIR ?= dist
BUILD_TYPE ?= RelWithDebInfo
FUZZ_SECONDS ?= 20
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
GREENLIGHT := $(BUILD_DIR)/greenlight
WERROR := $(if $(filter true,$(CI)),-DGREENLIGHT_WERROR=ON,)
# UNITY=ON compiles each target as a few unity sources: about half the time of a clean build (CI uses it), but
# an edit then recompiles the files batched with it, so the everyday build keeps one object per file.
UNITY ?= OFF

.PHONY: all deps-build deps-test build build-greenlight demo test format-check format tidy asan-test fuzz bench release release-test clean

all: build

# Missing Debian packages are installed (as root) or named (otherwise); nothing happens when all are there.
deps-build:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh build test

build: deps-build
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DGREENLIGHT_TESTS=ON \
	  -DCMAKE_UNITY_BUILD=$(UNITY) $(WERROR) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

# Only the binary: what the demo runs (the tests' targets are left for `make test`).
build-greenlight:
	@scripts/install-deps.sh build demo
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_UNITY_BUILD=$(UNITY) $(WERROR) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target greenlight

# Runs the demo project's merge-medium tier (smoke guard first), prints the verdict table and
# the bundle path, then verifies the bundle as a downloader would.
demo: build-greenlight
	@cd examples/demo && run_id=demo-$$(date -u +%Y%m%dT%H%M%SZ) && \
	  ../../$(GREENLIGHT) run --tier merge-medium --run-id $$run_id --jobs 2; status=$$?; \
	  echo; ../../$(GREENLIGHT) verify artifacts/demo/$$run_id || exit 1; \
	  echo "demo bundle: examples/demo/artifacts/demo/$$run_id"; exit $$status

# The layer table of docs/ARCHITECTURE.md first (a second), then every test.
test: deps-test build
	/usr/bin/python3 scripts/check-layering.py
	cd $(BUILD_DIR) && ctest --output-on-failure --parallel 2 --timeout 600

# Every C++ file as .clang-format lays it out (clang-format from Debian; `make format` rewrites them).
FORMAT_FILES = $(shell git ls-files 'src/*.cpp' 'src/*.hpp' 'test/*.cpp' 'test/*.hpp' 'fuzz/*.cpp' 'fuzz/*.hpp')
format-check:
	@scripts/install-deps.sh lint
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files as .clang-format lays them out"

format:
	@scripts/install-deps.sh lint
	clang-format -i $(FORMAT_FILES)

# clang-tidy's short list of checks (.clang-tidy) on the sources changed since TIDY_BASE (default: the day
# before HEAD); see scripts/tidy-changed.sh.
tidy:
	@scripts/install-deps.sh build lint
	scripts/tidy-changed.sh $(TIDY_BASE)

# The unit and CLI tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
asan-test: deps-test
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGREENLIGHT_SANITIZE=ON $(WERROR)
	cmake --build $(ASAN_DIR) --parallel $(JOBS)
	cd $(ASAN_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --parallel 2 --timeout 900

# Each libFuzzer target for FUZZ_SECONDS on its corpus (fuzz/corpus/<name>), JOBS at a time.
fuzz:
	@scripts/install-deps.sh build fuzz
	cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGREENLIGHT_FUZZ=ON -DGREENLIGHT_TESTS=OFF \
	  -DCMAKE_UNITY_BUILD=$(UNITY) $(CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) --parallel $(JOBS) --target fuzzers
	scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(JOBS)

bench: build
	@scripts/install-deps.sh bench
	bench/runner_overhead.sh $(GREENLIGHT)
	bench/manifest_throughput.sh $(GREENLIGHT)
	bench/patch_coverage.sh $(GREENLIGHT)
	bench/links.sh $(GREENLIGHT)
	bench/secrets.sh $(GREENLIGHT)
	bench/bridge_polls.sh $(GREENLIGHT)
	bench/serve_load.sh $(GREENLIGHT)

# The release files in $(DIST_DIR): the portable archive (one static binary, man pages, completions, licences),
# its SHA-256 and debug file, and the .deb. Reproducible: times come from the last commit.
release: export SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
release:
	@scripts/install-deps.sh build release
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGREENLIGHT_STATIC=ON -DCMAKE_UNITY_BUILD=ON \
	  -DGREENLIGHT_TESTS=OFF $(WERROR) $(CMAKE_FLAGS)
	cmake --build $(RELEASE_DIR) --parallel $(JOBS) --target greenlight greenlight_docs
	scripts/package-release.sh --build-dir $(RELEASE_DIR) --out $(DIST_DIR)
	rm -rf $(RELEASE_DIR)/cpack && cd $(RELEASE_DIR) && cpack -G DEB -B cpack >cpack.log || { cat cpack.log; exit 1; }
	mv -f $(RELEASE_DIR)/cpack/greenlight_*.deb $(DIST_DIR)/
	cd $(DIST_DIR) && sha256sum greenlight-*.tar.gz greenlight-*.debug greenlight_*.deb > SHA256SUMS.partial && \
	  mv -f SHA256SUMS.partial SHA256SUMS && ls -l

# The release files where greenlight was never built: bare bullseye (glibc 2.31) and trixie root filesystems
# run the archive's greenlight, a bare bookworm installs the .deb (test/release/chroot_test.sh; needs root).
release-test:
	@scripts/install-deps.sh release
	test/release/chroot_test.sh $(DIST_DIR) || { status=$$?; [ $$status -eq 77 ] || exit $$status; }

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR) $(RELEASE_DIR) $(DIST_DIR)

# ---- install ----
# greenlight, its man pages, shell completions, JSON Schemas and docs under PREFIX (docs/INSTALL.md); DESTDIR is
# honoured for staging. A BUILD_DIR that is not configured yet is configured without the tests (they need the
# test packages and are never installed); then only what is installed is built.
PREFIX ?= /usr/local

.PHONY: install
install: deps-build
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DGREENLIGHT_TESTS=OFF $(WERROR) $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) --parallel $(JOBS) --target greenlight greenlight_docs
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix "$(PREFIX)"
# ---- end of install ----

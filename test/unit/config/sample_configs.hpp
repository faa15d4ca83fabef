// Sample greenlight.yml texts shared by the loader and schema tests, so both judge the same input.
#pragma once

#include <string_view>

namespace greenlight::config::test {

// Uses every key the loader accepts; line numbers are asserted in loader_test.cpp.
inline constexpr std::string_view k_full_config = R"(version: 1
project: billing
artifacts: out/bundles
defaults:
  timeout: 2m
  grace: 3s
  retries: 1
  min_tests: 2
  output_cap: 1MiB
suites:
  unit:
    run: ["ctest", "--test-dir", "build", "--output-junit", "{outputs}/junit.xml"]
    cwd: sub
    env: { ZED: last, LOG_LEVEL: debug, COUNT: 3, ENABLED: true, VERSION: 1.10 }
    timeout: 5m
    results: { junit: "{outputs}/junit.xml" }
    min_tests: 10
    retries: 2
    requires: [docker, "command:ctest", "env:TOKEN", "file:build/CTestTestfile.cmake"]
    labels: [fast]
  lint:
    run: ./lint.sh --all | tee "{outputs}/lint.txt"
    labels: [fast, static]
  integration:
    run: [pytest, -q]
    results: { format: pytest }
    grace: 0s
    output_cap: 4096
    labels: [integration]
  tap:
    run: [prove]
    results: { tap: "{outputs}/prove.tap" }
tiers:
  smoke: []
  empty:
  pr-fast: [unit, lint]
  merge-medium: [unit, lint, "label:integration"]
policy:
  flaky: { smoke: fail, pr-fast: pass, merge-medium: pass }
  missing_requirement: skip
gate:
  rules:
    - name: services
      paths: ["backend/**", "api/**"]
      tier: R2-medium
    - name: secrets-in-code
      keywords: [password, api_key]
      patterns: ['(?i)secret\s*=', 'BEGIN [A-Z]+ PRIVATE KEY']
      tier: r3
      requires: [e2e-proof, license-scan]
      requires_from: R3
    - name: everything
      tier: R1
  docs_paths: ["docs/**", "**/*.md"]
  tiers:
    R1-low: [ci]
    r2: [patch-coverage, automated-review]
    R4-critical: [second-review, license-scan]
  gates:
    ci: { mode: blocking, checks: ["CI / test", "greenlight"] }
    semantic-review: { mode: advisory }
    license-scan:
  coverage:
    patch_minimum: 60
    patch_threshold: 5
    project_max_drop: 2
)";

}  // namespace greenlight::config::test

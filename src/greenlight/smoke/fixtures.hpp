// The smoke guard's fixture project: each suite pins one semantic of the runner.
#pragma once

#include <string_view>

namespace greenlight::smoke {

// greenlight.yml of the fixture project; every suite's expected verdict is in k_expected_verdicts.
inline constexpr std::string_view k_fixture_config = R"YAML(version: 1
project: smoke
artifacts: bundles
defaults:
  timeout: 30s
  grace: 300ms
suites:
  known-pass:
    run: "echo all good"
  known-fail:
    run: "echo 'one check failed' >&2; exit 3"
  crash-by-signal:
    run: "echo about to crash; kill -SEGV $$"
  timeout-grandchild-holds-stdout:
    run: "sleep 60 & echo grandchild started; sleep 60"
    timeout: 1s
  zero-tests:
    run: "printf '1..0 # SKIP no tests collected\n' > {outputs}/results.tap"
    results: { tap: "{outputs}/results.tap" }
  junit-failed-exit-zero:
    run: "cp junit-one-failure.xml {outputs}/junit.xml"
    results: { junit: "{outputs}/junit.xml" }
  missing-results-file:
    run: "echo 'forgot to write the report'"
    results: { junit: "{outputs}/junit.xml" }
  output-past-cap:
    run: "echo HEAD-MARKER; head -c 3000000 /dev/zero | tr '\\0' 'x'; echo; echo TAIL-MARKER"
    output_cap: 64KiB
  flaky-fail-then-pass:
    run: "if [ -f flaky.state ]; then echo second attempt passes; else touch flaky.state; echo first attempt fails; exit 1; fi"
    retries: 1
  escape-with-cleared-environment:
    run: "setsid -f env -i /bin/sh -c 'echo $$ > {outputs}/escaped.tmp && mv {outputs}/escaped.tmp {outputs}/escaped.pid; exec sleep 300'; while [ ! -s {outputs}/escaped.pid ]; do sleep 0.01; done; echo a daemon left the session with an empty environment"
  unmet-requirement:
    run: "echo this must never run; exit 1"
    requires: ["env:GREENLIGHT_SMOKE_NEVER_SET"]
tiers:
  smoke: [known-pass, known-fail, crash-by-signal, timeout-grandchild-holds-stdout, zero-tests,
          junit-failed-exit-zero, missing-results-file, output-past-cap, flaky-fail-then-pass,
          escape-with-cleared-environment, unmet-requirement]
policy:
  flaky: { smoke: pass }
  missing_requirement: skip
)YAML";

inline constexpr std::string_view k_junit_one_failure = R"XML(<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="fixture" tests="2" failures="1" errors="0" skipped="0">
    <testcase classname="fixture" name="passes" time="0.001"/>
    <testcase classname="fixture" name="fails" time="0.001">
      <failure message="expected 1, got 2">assertion failed</failure>
    </testcase>
  </testsuite>
</testsuites>
)XML";

struct ExpectedVerdict {
    std::string_view suite;
    std::string_view verdict;
};

inline constexpr ExpectedVerdict k_expected_verdicts[] = {
    {"known-pass", "pass"},
    {"known-fail", "fail"},
    {"crash-by-signal", "crashed"},
    {"timeout-grandchild-holds-stdout", "timeout"},
    {"zero-tests", "no-tests"},
    {"junit-failed-exit-zero", "inconsistent"},
    {"missing-results-file", "error"},
    {"output-past-cap", "pass"},
    {"flaky-fail-then-pass", "flaky"},
    {"escape-with-cleared-environment", "pass"},
    {"unmet-requirement", "skipped"},
};

}  // namespace greenlight::smoke

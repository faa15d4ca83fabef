#!/usr/bin/env bash
# The example GitHub Actions workflows (examples/github/) keep the promises their comments make:
# the right triggers, the right greenlight flags per event, bundles uploaded even after a red
# run, and a sharded run that is merged and verified. Also checks that the demo config is valid.
# Usage: github_workflows.sh GREENLIGHT_BINARY   (env GREENLIGHT_SOURCE_DIR: the repository root)
set -euo pipefail

greenlight=${1:?usage: github_workflows.sh GREENLIGHT_BINARY}
source_dir=${GREENLIGHT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# Debian's interpreter, which has python3-yaml (`python3` on PATH may be another one).
python=/usr/bin/python3

if ! "$python" -c 'import yaml' 2>/dev/null; then
    echo "FAIL: $python cannot import yaml; install python3-yaml" >&2
    exit 1
fi

"$python" - "$source_dir/examples/github" <<'PYTHON'
import pathlib
import re
import sys

import yaml

folder = pathlib.Path(sys.argv[1])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def load(name):
    with open(folder / name, encoding="utf-8") as stream:
        workflow = yaml.safe_load(stream)
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def steps_of(job):
    return job.get("steps") or []


def expand_env(text, *envs):
    """Replaces $NAME and ${NAME} with the value the step would see, innermost env first."""
    def value(match):
        name = match.group(1) or match.group(2)
        for env in envs:
            if env and name in env:
                return str(env[name])
        return match.group(0)
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def greenlight_commands(workflow, job, word):
    """(step, command with env expanded) for every `greenlight <word>` line in the job."""
    found = []
    for step in steps_of(job):
        for line in str(step.get("run", "")).splitlines():
            if re.search(rf"(^|[\s/])greenlight {word}\b", line):
                found.append((step, expand_env(line, step.get("env"), job.get("env"), workflow.get("env"))))
    return found


def check_uploads(where, job, minimum=1):
    uploads = [s for s in steps_of(job) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    check(len(uploads) >= minimum, f"{where}: expected an actions/upload-artifact step, found none")
    for step in uploads:
        label = f"{where}: upload step '{step.get('name', step['uses'])}'"
        check(step["uses"] == "actions/upload-artifact@v4", f"{label}: expected actions/upload-artifact@v4, found {step['uses']}")
        check("always()" in str(step.get("if", "")), f"{label}: expected `if: always()` so a red run still uploads its bundle, found {step.get('if')!r}")
        settings = step.get("with") or {}
        check(settings.get("if-no-files-found") == "error", f"{label}: expected `if-no-files-found: error`, found {settings.get('if-no-files-found')!r}")
        check(settings.get("path"), f"{label}: no `path`")
        check(settings.get("name"), f"{label}: no artifact `name`")
    return uploads


def check_no_injection(where, workflow):
    """Inputs and event fields reach scripts through env, never pasted into the script text."""
    for job_name, job in workflow["jobs"].items():
        for step in steps_of(job):
            script = str(step.get("run", ""))
            for risky in re.findall(r"\$\{\{\s*(inputs\.\w+|github\.event\.[\w.]+|github\.head_ref)\s*\}\}", script):
                failures.append(f"{where}: job {job_name}: `${{{{ {risky} }}}}` pasted into a run script; pass it through env")


RUN_ID = "${{ github.run_id }}-${{ github.run_attempt }}"

# --- greenlight.yml: one job, one greenlight run step per event -----------------------------
where = "examples/github/greenlight.yml"
workflow = load("greenlight.yml")
triggers = workflow.get("on") or {}
check("pull_request" in triggers, f"{where}: expected a pull_request trigger")
push = triggers.get("push") or {}
check(push.get("branches") == ["main"], f"{where}: expected push.branches == ['main'], found {push.get('branches')!r}")
inputs = ((triggers.get("workflow_dispatch") or {}).get("inputs")) or {}
mode = inputs.get("mode") or {}
check(mode.get("type") == "choice", f"{where}: workflow_dispatch input `mode` should be a choice, found {mode.get('type')!r}")
check(sorted(mode.get("options") or []) == ["full", "smoke-only"], f"{where}: `mode` options should be smoke-only and full, found {mode.get('options')!r}")
tier = inputs.get("tier") or {}
check(tier.get("type") == "choice", f"{where}: workflow_dispatch input `tier` should be a choice, found {tier.get('type')!r}")
check({"pr-fast", "merge-medium"} <= set(tier.get("options") or []), f"{where}: `tier` options should include pr-fast and merge-medium, found {tier.get('options')!r}")
check(tier.get("default") in (tier.get("options") or []), f"{where}: `tier` default {tier.get('default')!r} is not one of its options")

jobs = workflow.get("jobs") or {}
runs = [(name, job, step, command) for name, job in jobs.items() for step, command in greenlight_commands(workflow, job, "run")]
check(runs, f"{where}: no `greenlight run` step found")


def run_step_for(description, *conditions):
    """The one `greenlight run` step whose `if` names every condition."""
    matching = [(step, command) for _, _, step, command in runs
                if all(c in re.sub(r"\s+", " ", str(step.get("if", ""))) for c in conditions)]
    if check(len(matching) == 1, f"{where}: expected one `greenlight run` step for {description} (if: {' && '.join(conditions)}), found {len(matching)}"):
        return matching[0][1]
    return ""


def check_flags(description, command, required, forbidden):
    if not command:
        return
    words = command.replace('"', "").replace("'", "").split()
    text = " ".join(words)
    for flag in required:
        check(flag in text, f"{where}: {description}: expected `{flag}` in `{command.strip()}`")
    for flag in forbidden:
        check(flag not in words, f"{where}: {description}: `{flag}` must not be in `{command.strip()}`")


common = [f"--run-id {RUN_ID}"]
check_flags("pull_request", run_step_for("pull_request", "github.event_name == 'pull_request'"),
            ["--tier pr-fast"] + common, ["--no-smoke", "--smoke-only"])
check_flags("push to main", run_step_for("push", "github.event_name == 'push'"),
            ["--tier merge-medium"] + common, ["--no-smoke", "--smoke-only"])
check_flags("workflow_dispatch smoke-only",
            run_step_for("workflow_dispatch smoke-only", "github.event_name == 'workflow_dispatch'", "inputs.mode == 'smoke-only'"),
            ["--tier ${{ inputs.tier }}", "--smoke-only"] + common, ["--no-smoke"])
check_flags("workflow_dispatch full",
            run_step_for("workflow_dispatch full", "github.event_name == 'workflow_dispatch'", "inputs.mode == 'full'"),
            ["--tier ${{ inputs.tier }}"] + common, ["--no-smoke", "--smoke-only"])

for name, job in jobs.items():
    if greenlight_commands(workflow, job, "run"):
        check(any("make build" in str(s.get("run", "")) for s in steps_of(job)), f"{where}: job {name}: greenlight is never built (`make build`)")
        check(any("scripts/install-deps.sh build" in str(s.get("run", "")) for s in steps_of(job)), f"{where}: job {name}: build dependencies are never installed (scripts/install-deps.sh build)")
        for upload in check_uploads(f"{where}: job {name}", job):
            check(RUN_ID in str((upload.get("with") or {}).get("path", "")), f"{where}: job {name}: the upload path should name the run id {RUN_ID}")
check_no_injection(where, workflow)

# --- sharded.yml: a matrix of shards, then a merge job ------------------------------------
where = "examples/github/sharded.yml"
workflow = load("sharded.yml")
jobs = workflow.get("jobs") or {}
shard_jobs = {name: job for name, job in jobs.items() if "shard" in ((job.get("strategy") or {}).get("matrix") or {})}
if check(len(shard_jobs) == 1, f"{where}: expected one job with a `shard` matrix, found {sorted(shard_jobs)}"):
    shard_job_name, shard_job = next(iter(shard_jobs.items()))
    strategy = shard_job["strategy"]
    shards = strategy["matrix"]["shard"]
    count = len(shards) if isinstance(shards, list) else 0
    check(count >= 2 and shards == list(range(1, count + 1)), f"{where}: matrix.shard should be 1..N (1-based), found {shards!r}")
    check(strategy.get("fail-fast") is False, f"{where}: the shard matrix needs `fail-fast: false`, or one red shard cancels the others")
    commands = greenlight_commands(workflow, shard_job, "run")
    if check(len(commands) == 1, f"{where}: job {shard_job_name}: expected one `greenlight run`, found {len(commands)}"):
        command = commands[0][1]
        check(f"--shard ${{{{ matrix.shard }}}}/{count}" in command, f"{where}: expected `--shard ${{{{ matrix.shard }}}}/{count}` in `{command}`")
        check("--run-id" in command, f"{where}: shards must share an explicit --run-id, found `{command}`")
        check("--tier" in command, f"{where}: no --tier in `{command}`")
    for upload in check_uploads(f"{where}: job {shard_job_name}", shard_job):
        check("matrix.shard" in str(upload["with"].get("name", "")), f"{where}: each shard's artifact name must contain matrix.shard, found {upload['with'].get('name')!r}")

    merge_jobs = {name: job for name, job in jobs.items() if greenlight_commands(workflow, job, "merge")}
    if check(len(merge_jobs) == 1, f"{where}: expected one job running `greenlight merge`, found {sorted(merge_jobs)}"):
        merge_name, merge_job = next(iter(merge_jobs.items()))
        needs = merge_job.get("needs")
        needs = [needs] if isinstance(needs, str) else (needs or [])
        check(shard_job_name in needs, f"{where}: job {merge_name} must need {shard_job_name}, found needs: {needs!r}")
        check("always()" in str(merge_job.get("if", "")), f"{where}: job {merge_name} needs `if: always()` to merge after a red shard, found {merge_job.get('if')!r}")
        steps = steps_of(merge_job)
        downloads = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/download-artifact@")]
        merges = [i for i, s in enumerate(steps) if re.search(r"greenlight merge .+ -o merged\b", str(s.get("run", "")))]
        verifies = [i for i, s in enumerate(steps) if re.search(r"greenlight verify merged\b", str(s.get("run", "")))]
        check(downloads, f"{where}: job {merge_name}: no actions/download-artifact step")
        check(merges, f"{where}: job {merge_name}: no `greenlight merge ... -o merged`")
        check(verifies, f"{where}: job {merge_name}: no `greenlight verify merged`")
        if downloads and merges and verifies:
            check(downloads[0] < merges[0] < verifies[0], f"{where}: job {merge_name}: expected download, then merge, then verify")
        uploads = check_uploads(f"{where}: job {merge_name}", merge_job)
        check(any(str(u["with"].get("path", "")).rstrip("/") == "merged" for u in uploads), f"{where}: job {merge_name}: the merged bundle (merged/) is never uploaded")
check_no_injection(where, workflow)

# --- mainframe-smoke.yml: the remote smoke flow on a schedule and on a labelled issue ------------
where = "examples/github/mainframe-smoke.yml"
workflow = load("mainframe-smoke.yml")
triggers = workflow.get("on") or {}
check(triggers.get("schedule"), f"{where}: expected a schedule trigger")
check(((triggers.get("issues") or {}).get("types")) == ["labeled"], f"{where}: expected issues: types: [labeled], found {triggers.get('issues')!r}")
check(((workflow.get("permissions") or {}).get("issues")) == "write", f"{where}: commenting on the issue needs `issues: write`")
for name, job in (workflow.get("jobs") or {}).items():
    condition = re.sub(r"\s+", " ", str(job.get("if", "")))
    check("github.event.label.name == 'mainframe-smoke'" in condition, f"{where}: job {name} must run on issues only for the mainframe-smoke label, found if: {condition!r}")
    commands = greenlight_commands(workflow, job, "bridge run")
    if check(len(commands) == 1, f"{where}: job {name}: expected one `greenlight bridge run`, found {len(commands)}"):
        step, command = commands[0]
        script = str(step.get("run", ""))
        check("--payload" in command, f"{where}: no --payload in `{command}`")
        check("--issue" in script, f"{where}: the failure comment needs --issue")
        env = step.get("env") or {}
        for variable in ("GREENLIGHT_BRIDGE_USER", "GREENLIGHT_BRIDGE_PASSWORD", "GREENLIGHT_CHAT_WEBHOOK"):
            check("secrets." in str(env.get(variable, "")), f"{where}: {variable} should come from a secret, found {env.get(variable)!r}")
        check("secrets.GITHUB_TOKEN" in str(env.get("GITHUB_TOKEN", "")), f"{where}: --issue needs GITHUB_TOKEN in the step's env")
    for upload in check_uploads(f"{where}: job {name}", job):
        check("mainframe-smoke-results.tar.gz" in str((upload.get("with") or {}).get("path", "")), f"{where}: the upload should be the packed bundle mainframe-smoke-results.tar.gz")
check_no_injection(where, workflow)

for failure in failures:
    print(f"FAIL: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print("ok: examples/github workflows")
PYTHON

# The demo's config must load with the greenlight under test.
demo_config="$source_dir/examples/demo/greenlight.yml"
if ! output=$("$greenlight" config validate --config "$demo_config" 2>&1); then
    echo "FAIL: greenlight config validate --config examples/demo/greenlight.yml did not exit 0:" >&2
    echo "$output" >&2
    exit 1
fi
echo "ok: examples/demo/greenlight.yml is valid"

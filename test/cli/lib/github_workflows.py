"""The promises of the example workflows (examples/github/) and of the action (action.yml).

    github_workflows.py SOURCE_DIR

Prints `FAIL: ...` for each broken promise and exits 1, else prints one ok line per file.
"""
import fnmatch
import pathlib
import re
import sys

import yaml

source_dir = pathlib.Path(sys.argv[1])
examples = source_dir / "examples" / "github"
failures = []
ACTION = "greenlight-ci/greenlight"


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def load(path):
    with open(path, encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    # YAML 1.1 reads the key `on` as the boolean True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def steps_of(job):
    return job.get("steps") or []


def condition_of(item):
    """An `if:` as one line, without the optional ${{ }} around it."""
    text = re.sub(r"\s+", " ", str(item.get("if", ""))).strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text)
    return match.group(1).strip() if match else text


def runs_after_failure(item):
    condition = condition_of(item)
    return "always()" in condition or "!cancelled()" in condition


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


def uses(job, action):
    return [s for s in steps_of(job) if str(s.get("uses", "")).split("@")[0] == action]


def index_of(job, step):
    return next(i for i, s in enumerate(steps_of(job)) if s is step)


def check_install(where, job_name, job, tags):
    """A job that runs greenlight installs it with the action first, and builds nothing."""
    steps = steps_of(job)
    installs = uses(job, ACTION)
    scripts = [(i, str(s.get("run", ""))) for i, s in enumerate(steps)]
    first_use = next((i for i, script in scripts if re.search(r"(^|[\s/])greenlight \w", script)), None)
    if first_use is None:
        return
    if check(len(installs) == 1, f"{where}: job {job_name}: expected one `uses: {ACTION}@vX.Y.Z` step, found {len(installs)}"):
        tag = installs[0]["uses"].split("@", 1)[1]
        tags.add(tag)
        check(re.fullmatch(r"v\d+\.\d+\.\d+", tag), f"{where}: job {job_name}: the action should be used at a release tag vX.Y.Z, found @{tag}")
        check(index_of(job, installs[0]) < first_use, f"{where}: job {job_name}: greenlight runs before the action installs it")
    for _, script in scripts:
        for forbidden in ("make build", "install-deps.sh", "cmake "):
            check(forbidden not in script, f"{where}: job {job_name}: `{forbidden}` — the example installs the release, it never builds greenlight")


def check_uploads(where, job, minimum=1):
    uploads = [s for s in steps_of(job) if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    check(len(uploads) >= minimum, f"{where}: expected an actions/upload-artifact step, found none")
    for step in uploads:
        label = f"{where}: upload step '{step.get('name', step['uses'])}'"
        check(step["uses"] == "actions/upload-artifact@v4", f"{label}: expected actions/upload-artifact@v4, found {step['uses']}")
        check("always()" in condition_of(step), f"{label}: expected `if: always()` so a red run still uploads its bundle, found {step.get('if')!r}")
        settings = step.get("with") or {}
        check(settings.get("if-no-files-found") == "error", f"{label}: expected `if-no-files-found: error`, found {settings.get('if-no-files-found')!r}")
        path = str(settings.get("path", ""))
        check(path, f"{label}: no `path`")
        check("\n" not in path.strip() and not re.search(r"[*?\[]", path),
              f"{label}: the path must be the bundle itself, one path without wildcards (a wildcard makes the folder above it the artifact's root), found {path!r}")
        check(settings.get("name"), f"{label}: no artifact `name`")
    return uploads


def check_bundle_upload(where, job, upload):
    """The upload takes the folder a step found (id, `path` output), a step that runs after a red run."""
    settings = upload.get("with") or {}
    match = re.fullmatch(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.path\s*\}\}", str(settings.get("path", "")).strip())
    if not check(match, f"{where}: the bundle upload's path should be `${{{{ steps.<id>.outputs.path }}}}` (the bundle folder found by a step), found {settings.get('path')!r}"):
        return
    finder = next((s for s in steps_of(job) if s.get("id") == match.group(1)), None)
    if not check(finder, f"{where}: no step with id {match.group(1)}"):
        return
    check(index_of(job, finder) < index_of(job, upload), f"{where}: the step that finds the bundle runs after the upload")
    check("always()" in condition_of(finder), f"{where}: the step that finds the bundle needs `if: always()`, found {finder.get('if')!r}")
    script = str(finder.get("run", ""))
    check('"$ARTIFACT_DIR"/*/"$RUN_ID"' in script, f"{where}: the step that finds the bundle should look for \"$ARTIFACT_DIR\"/*/\"$RUN_ID\"")
    check(re.search(r'-ne 1', script) and "exit 1" in script, f"{where}: the step that finds the bundle must fail unless exactly one bundle is there")
    check('path=' in script and '"$GITHUB_OUTPUT"' in script, f"{where}: the step that finds the bundle must set its `path` output")
    check(settings.get("include-hidden-files") is True,
          f"{where}: the bundle upload needs `include-hidden-files: true`, or files a suite wrote under a dot name go missing and verify fails")
    for step, command in greenlight_commands(load_cache[where], job, "run"):
        raw = str(step.get("run", ""))
        check('--artifact-dir "$ARTIFACT_DIR"' in raw and '--run-id "$RUN_ID"' in raw,
              f"{where}: `{raw.strip()}` must write to --artifact-dir \"$ARTIFACT_DIR\" --run-id \"$RUN_ID\", where the upload looks")


def check_downloaded_and_verified(where, workflow, upload_job_name, upload, *, target):
    """A later job downloads the artifact by its name and runs `greenlight verify` on what arrived."""
    name = (upload.get("with") or {}).get("name")
    for job_name, job in (workflow.get("jobs") or {}).items():
        needs = job.get("needs")
        needs = [needs] if isinstance(needs, str) else (needs or [])
        if upload_job_name not in needs:
            continue
        downloads = [s for s in uses(job, "actions/download-artifact") if (s.get("with") or {}).get("name") == name]
        if not downloads:
            continue
        download = downloads[0]
        check(download["uses"] == "actions/download-artifact@v4", f"{where}: job {job_name}: expected actions/download-artifact@v4")
        check(runs_after_failure(job), f"{where}: job {job_name} must verify after a red run too (`if: ${{{{ !cancelled() }}}}`), found {job.get('if')!r}")
        path = str(download["with"].get("path", "")).rstrip("/")
        verifies = [s for s in steps_of(job) if re.search(rf"greenlight verify {re.escape(path)}{re.escape(target)}(\s|$)", str(s.get("run", "")))]
        if check(verifies, f"{where}: job {job_name}: no `greenlight verify {path}{target}` (a single-name download lands in {path}/ itself)"):
            check(index_of(job, download) < index_of(job, verifies[0]), f"{where}: job {job_name}: verify runs before the download")
        check_install(where, job_name, job, tags)
        return job_name
    failures.append(f"{where}: no job (needing {upload_job_name}) downloads the artifact {name!r} and verifies it")
    return None


def check_no_injection(where, workflow):
    """Inputs and event fields reach scripts through env, never pasted into the script text."""
    for job_name, job in workflow["jobs"].items():
        for step in steps_of(job):
            script = str(step.get("run", ""))
            for risky in re.findall(r"\$\{\{\s*(inputs\.[\w-]+|github\.event\.[\w.]+|github\.head_ref)\s*\}\}", script):
                failures.append(f"{where}: job {job_name}: `${{{{ {risky} }}}}` pasted into a run script; pass it through env")


load_cache = {}
tags = set()
RUN_ID = "${{ github.run_id }}-${{ github.run_attempt }}"

# --- greenlight.yml: one job, one greenlight run step per event, then a job that verifies ---------------
where = "examples/github/greenlight.yml"
workflow = load_cache[where] = load(examples / "greenlight.yml")
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
check((workflow.get("permissions") or {}) == {"contents": "read"}, f"{where}: expected permissions: contents: read only, found {workflow.get('permissions')!r}")
concurrency = workflow.get("concurrency") or {}
check("github.ref" in str(concurrency.get("group", "")), f"{where}: expected a concurrency group per ref, found {concurrency!r}")
check("pull_request" in str(concurrency.get("cancel-in-progress", "")), f"{where}: only pull request runs should cancel older ones, found {concurrency.get('cancel-in-progress')!r}")

jobs = workflow.get("jobs") or {}
runs = [(name, job, step, command) for name, job in jobs.items() for step, command in greenlight_commands(workflow, job, "run")]
check(runs, f"{where}: no `greenlight run` step found")


def run_step_for(description, *conditions):
    """The one `greenlight run` step whose `if` names every condition."""
    matching = [(step, command) for _, _, step, command in runs if all(c in condition_of(step) for c in conditions)]
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
    check_install(where, name, job, tags)
    if greenlight_commands(workflow, job, "run"):
        for upload in check_uploads(f"{where}: job {name}", job):
            check(RUN_ID in str((upload.get("with") or {}).get("name", "")), f"{where}: job {name}: the artifact name should carry the run id {RUN_ID}")
            check_bundle_upload(where, job, upload)
            check_downloaded_and_verified(where, workflow, name, upload, target="")
check_no_injection(where, workflow)

# --- sharded.yml: a matrix of shards, then a merge job ------------------------------------------------------
where = "examples/github/sharded.yml"
workflow = load_cache[where] = load(examples / "sharded.yml")
check((workflow.get("permissions") or {}) == {"contents": "read"}, f"{where}: expected permissions: contents: read only")
jobs = workflow.get("jobs") or {}
for name, job in jobs.items():
    check_install(where, name, job, tags)
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
        command = commands[0][1].replace('"', "")
        check(f"--shard ${{{{ matrix.shard }}}}/{count}" in command, f"{where}: expected `--shard ${{{{ matrix.shard }}}}/{count}` in `{command}`")
        check("--run-id ${{ github.run_id }}" in command and "run_attempt" not in command,
              f"{where}: shards must share an explicit --run-id without the attempt (re-runs join the same run), found `{command}`")
        check("--tier" in command, f"{where}: no --tier in `{command}`")
    shard_names = []
    for upload in check_uploads(f"{where}: job {shard_job_name}", shard_job):
        settings = upload["with"]
        check("matrix.shard" in str(settings.get("name", "")), f"{where}: each shard's artifact name must contain matrix.shard, found {settings.get('name')!r}")
        check(settings.get("overwrite") is True, f"{where}: a re-run shard must replace its artifact (`overwrite: true`)")
        check_bundle_upload(where, shard_job, upload)
        shard_names = [str(settings.get("name", "")).replace("${{ matrix.shard }}", str(i)) for i in shards]

    merge_jobs = {name: job for name, job in jobs.items() if greenlight_commands(workflow, job, "merge")}
    if check(len(merge_jobs) == 1, f"{where}: expected one job running `greenlight merge`, found {sorted(merge_jobs)}"):
        merge_name, merge_job = next(iter(merge_jobs.items()))
        needs = merge_job.get("needs")
        needs = [needs] if isinstance(needs, str) else (needs or [])
        check(shard_job_name in needs, f"{where}: job {merge_name} must need {shard_job_name}, found needs: {needs!r}")
        check(runs_after_failure(merge_job), f"{where}: job {merge_name} must merge after a red shard too (`if: ${{{{ !cancelled() }}}}`), found {merge_job.get('if')!r}")
        steps = steps_of(merge_job)
        downloads = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/download-artifact@")]
        merges = [i for i, s in enumerate(steps) if re.search(r"greenlight merge .+ -o merged\b", str(s.get("run", "")))]
        verifies = [i for i, s in enumerate(steps) if re.search(r"greenlight verify merged\b", str(s.get("run", "")))]
        check(downloads, f"{where}: job {merge_name}: no actions/download-artifact step")
        check(merges, f"{where}: job {merge_name}: no `greenlight merge ... -o merged`")
        check(verifies, f"{where}: job {merge_name}: no `greenlight verify merged`")
        if downloads and merges and verifies:
            check(downloads[0] < merges[0] < verifies[0], f"{where}: job {merge_name}: expected download, then merge, then verify")
            settings = steps[downloads[0]].get("with") or {}
            pattern = str(settings.get("pattern", ""))
            check(not settings.get("name") and pattern, f"{where}: job {merge_name}: the shards are downloaded by `pattern:`, found {settings!r}")
            check(not settings.get("merge-multiple"), f"{where}: job {merge_name}: `merge-multiple` would pour every shard into one folder")
            check(shard_names and all(fnmatch.fnmatchcase(n, pattern) for n in shard_names),
                  f"{where}: job {merge_name}: the pattern {pattern!r} does not match every shard artifact {shard_names!r}")
            check(not fnmatch.fnmatchcase("greenlight-merged-1-1", pattern), f"{where}: the pattern {pattern!r} also matches the merged artifact")
            script = str(steps[merges[0]].get("run", ""))
            folder = str(settings.get("path", "")).rstrip("/")
            check(f"{folder}/{pattern}" in script, f"{where}: job {merge_name}: the merge should take every {folder}/{pattern} (one folder per artifact)")
            check("exit 1" in script, f"{where}: job {merge_name}: the merge step must fail when no shard bundle was downloaded")
            check(runs_after_failure(steps[verifies[0]]), f"{where}: job {merge_name}: verify the merged bundle after a red merge too")
        uploads = check_uploads(f"{where}: job {merge_name}", merge_job)
        check(any(str(u["with"].get("path", "")).rstrip("/") == "merged" for u in uploads), f"{where}: job {merge_name}: the merged bundle (merged/) is never uploaded")
check_no_injection(where, workflow)

# --- mainframe-smoke.yml: the remote smoke flow on a schedule and on a labelled issue ------------------------
where = "examples/github/mainframe-smoke.yml"
workflow = load_cache[where] = load(examples / "mainframe-smoke.yml")
triggers = workflow.get("on") or {}
check(triggers.get("schedule"), f"{where}: expected a schedule trigger")
check(((triggers.get("issues") or {}).get("types")) == ["labeled"], f"{where}: expected issues: types: [labeled], found {triggers.get('issues')!r}")
check(((workflow.get("permissions") or {}).get("issues")) == "write", f"{where}: commenting on the issue needs `issues: write`")
check((workflow.get("concurrency") or {}).get("cancel-in-progress") is False, f"{where}: a job on the host is never abandoned: cancel-in-progress: false")
jobs = workflow.get("jobs") or {}
smoke_jobs = {name: job for name, job in jobs.items() if greenlight_commands(workflow, job, "bridge run")}
if check(len(smoke_jobs) == 1, f"{where}: expected one job running `greenlight bridge run`, found {sorted(smoke_jobs)}"):
    name, job = next(iter(smoke_jobs.items()))
    check_install(where, name, job, tags)
    condition = condition_of(job)
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
        check(str((upload.get("with") or {}).get("path", "")).endswith("/mainframe-smoke-results.tar.gz"), f"{where}: the upload should be the packed bundle mainframe-smoke-results.tar.gz")
        verify_job = check_downloaded_and_verified(where, workflow, name, upload, target="/mainframe-smoke-results.tar.gz")
        if verify_job:
            check("needs.smoke.result != 'skipped'" in condition_of(jobs[verify_job]),
                  f"{where}: job {verify_job} must not run when the smoke was skipped (an issue labelled otherwise)")
check_no_injection(where, workflow)

check(len(tags) == 1, f"examples/github: every workflow should use the action at the same release tag, found {sorted(tags)}")
tag = next(iter(tags)) if len(tags) == 1 else ""
if re.fullmatch(r"v\d+\.\d+\.\d+", tag):
    check(tuple(int(n) for n in tag[1:].split(".")) >= (0, 2, 0), f"examples/github: the action's first release is v0.2.0, found @{tag}")

# --- action.yml: a composite action whose steps take their inputs through env --------------------------------
where = "action.yml"
action = load(source_dir / "action.yml")
check(set(action.get("inputs") or {}) >= {"version", "args", "sha256"}, f"{where}: expected the inputs version, args and sha256, found {sorted(action.get('inputs') or {})}")
for name, spec in (action.get("inputs") or {}).items():
    check(spec.get("required") is not True, f"{where}: input {name} should be optional")
    check(spec.get("description"), f"{where}: input {name} has no description")
check(set(action.get("outputs") or {}) >= {"path", "version"}, f"{where}: expected the outputs path and version, found {sorted(action.get('outputs') or {})}")
runs = action.get("runs") or {}
check(runs.get("using") == "composite", f"{where}: expected a composite action, found using: {runs.get('using')!r}")
for step in runs.get("steps") or []:
    label = f"{where}: step '{step.get('name')}'"
    script = str(step.get("run", ""))
    check(step.get("shell") == "bash", f"{label}: expected shell: bash")
    check("${{" not in script, f"{label}: an expression pasted into the script; pass it through env: {script!r}")
    for called in re.findall(r'"\$GITHUB_ACTION_PATH/([^"]+)"', script):
        check((source_dir / called).is_file(), f"{label}: calls {called}, which does not exist")
for needed in ("inputs.version", "inputs.sha256", "inputs.args", "github.action_ref"):
    check(any(needed in str((s.get("env") or {}).values()) for s in runs.get("steps") or []),
          f"{where}: no step passes {needed} through env")

for failure in failures:
    print(f"FAIL: {failure}", file=sys.stderr)
if failures:
    sys.exit(1)
print("ok: examples/github workflows and action.yml keep their promises")

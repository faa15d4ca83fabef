"""Runs a GitHub Actions workflow on this machine the way a runner would, far enough to prove what its
steps do with files: the `run:` scripts as written (bash -e -o pipefail, ${{ }} substituted, env,
$GITHUB_OUTPUT, $GITHUB_PATH, `if:` conditions, `needs:`, a matrix), and the artifact actions emulated
with the rules of actions/upload-artifact@v4 and actions/download-artifact@v4:

upload   `path` lines are glob patterns; each pattern's search path is its part before the first segment
         holding a wildcard. Files are found under it with symbolic links followed (a link is uploaded as
         the file it points to; a broken one is left out), and, unless `include-hidden-files: true`, no
         file or folder whose name starts with a dot. Folders are not uploaded (an empty one vanishes).
         The artifact's root is the search path (the least common ancestor of the search paths when there
         are several), or the file's folder when the path is that single file. A name already uploaded in
         the run is refused unless `overwrite: true`.
download with `name:` the artifact's files go straight into `path`; otherwise every artifact whose name
         matches `pattern:` (all without one) goes into `path/<artifact name>/`, or into `path` itself
         with `merge-multiple: true`. Files arrive as plain files, mode 0644.

Other actions: actions/checkout copies the project folder into the workspace; greenlight-ci/greenlight
puts the greenlight under test on PATH (test/cli/action_install.sh tests the real install).

    workflow_runner.py WORKFLOW --project DIR --root DIR --greenlight BIN --event NAME
        [--input NAME=VALUE]... [--lose JOB[:MATRIX_VALUE]]... [--replace-step NAME=SCRIPT_FILE]...

--lose JOB:VALUE makes that job (or matrix job) fail at its start, as a lost runner does: it uploads
nothing. --replace-step runs SCRIPT_FILE instead of the named step's script. Writes ROOT/result.json:
{"jobs": {"<job>[ (<matrix value>)]": {"result": ..., "steps": [{"name", "outcome", "log"}]}},
 "artifacts": {"<name>": [<paths in the artifact>]}} and prints each step's outcome as it goes.
"""
import argparse
import fnmatch
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import zipfile

import yaml


# --- expressions -----------------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||<=|>=|[!<>()\[\],.])"
                   r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))")


class Expression:
    """A GitHub Actions expression: literals, contexts, ==, !=, <, >, &&, ||, !, status functions,
    contains(), startsWith(), endsWith(), format()."""

    def __init__(self, text, context, status):
        self.tokens = self.tokenize(text)
        self.position = 0
        self.context = context
        self.status = status  # the job's status so far: success, failure or cancelled

    @staticmethod
    def tokenize(text):
        tokens, position = [], 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = TOKEN.match(text, position)
            if not match:
                raise ValueError(f"cannot read the expression at: {text[position:]!r}")
            kind = match.lastgroup
            tokens.append((kind, match.group(kind)))
            position = match.end()
        return tokens

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else (None, None)

    def take(self, value=None):
        token = self.peek()
        if value is not None and token[1] != value:
            raise ValueError(f"expected {value!r}, found {token[1]!r}")
        self.position += 1
        return token

    def evaluate(self):
        value = self.parse_or()
        if self.position != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()[1]!r}")
        return value

    def parse_or(self):
        value = self.parse_and()
        while self.peek()[1] == "||":
            self.take()
            right = self.parse_and()
            value = value if truthy(value) else right
        return value

    def parse_and(self):
        value = self.parse_comparison()
        while self.peek()[1] == "&&":
            self.take()
            right = self.parse_comparison()
            value = right if truthy(value) else value
        return value

    def parse_comparison(self):
        value = self.parse_unary()
        while self.peek()[1] in ("==", "!=", "<", ">", "<=", ">="):
            operator = self.take()[1]
            right = self.parse_unary()
            value = compare(value, operator, right)
        return value

    def parse_unary(self):
        if self.peek()[1] == "!":
            self.take()
            return not truthy(self.parse_unary())
        return self.parse_primary()

    def parse_primary(self):
        kind, text = self.take()
        if text == "(":
            value = self.parse_or()
            self.take(")")
            return value
        if kind == "number":
            return float(text)
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek()[1] == "(":
            return self.call(text)
        value = self.context.get(text)
        while self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                key = self.take()[1]
            else:
                key = self.parse_or()
                self.take("]")
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def call(self, function):
        self.take("(")
        arguments = []
        while self.peek()[1] != ")":
            arguments.append(self.parse_or())
            if self.peek()[1] == ",":
                self.take()
        self.take(")")
        if function == "always":
            return True
        if function == "success":
            return self.status == "success"
        if function == "failure":
            return self.status == "failure"
        if function == "cancelled":
            return self.status == "cancelled"
        if function == "contains":
            haystack, needle = arguments
            if isinstance(haystack, list):
                return any(compare(item, "==", needle) for item in haystack)
            return str(needle).lower() in str(haystack).lower()
        if function == "startsWith":
            return str(arguments[0]).lower().startswith(str(arguments[1]).lower())
        if function == "endsWith":
            return str(arguments[0]).lower().endswith(str(arguments[1]).lower())
        if function == "format":
            return re.sub(r"\{(\d+)\}", lambda m: text_of(arguments[1 + int(m.group(1))]), str(arguments[0]))
        raise ValueError(f"the function {function}() is not emulated")


def truthy(value):
    return value not in (None, False, 0, 0.0, "")


def compare(left, operator, right):
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.lower(), right.lower()
    elif type(left) is not type(right):
        left, right = number_of(left), number_of(right)
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    try:
        return {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[operator]
    except TypeError:
        return False


def number_of(value):
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, str) and value.strip() == "":
        return 0.0  # as GitHub coerces: null == '' holds
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def substitute(text, context, status="success"):
    """Replaces each ${{ expression }} in text with its value, as text."""
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: text_of(Expression(m.group(1), context, status).evaluate()), str(text))


def condition_holds(condition, context, status):
    if condition is None or condition == "":
        condition = "success()"
    text = str(condition).strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    if match:
        text = match.group(1)
    if not re.search(r"\b(always|success|failure|cancelled)\(", text):
        text = f"success() && ({text})"
    return truthy(Expression(text, context, status).evaluate())


# --- artifacts ----------------------------------------------------------------------------------------------

GLOB = re.compile(r"[*?\[]")


def search_path_of(pattern):
    """The folder a pattern's search starts from: its segments before the first one with a wildcard."""
    parts = pathlib.PurePosixPath(pattern).parts
    kept = []
    for part in parts:
        if GLOB.search(part):
            break
        kept.append(part)
    return str(pathlib.PurePosixPath(*kept)) if kept else "/"


def pattern_matches(pattern, path):
    """Whether path is matched by pattern or lies under a match (implicit descendants)."""
    pattern_parts = pathlib.PurePosixPath(pattern).parts
    path_parts = pathlib.PurePosixPath(path).parts

    def match(i, j):
        if i == len(pattern_parts):
            return True  # the rest of the path lies under the match
        if pattern_parts[i] == "**":
            return any(match(i + 1, k) for k in range(j, len(path_parts) + 1))
        if j == len(path_parts):
            return False
        return fnmatch.fnmatchcase(path_parts[j], pattern_parts[i]) and match(i + 1, j + 1)

    return match(0, 0)


def files_under(search_path, include_hidden):
    """Files under search_path (or itself), links followed, broken links and (unless asked) dot names left out."""
    root = pathlib.Path(search_path)
    if not include_hidden and root.name.startswith("."):
        return []
    if root.is_file():
        return [str(root)]
    found = []
    for folder, folders, files in os.walk(root, followlinks=True):
        if not include_hidden:
            folders[:] = [f for f in folders if not f.startswith(".")]
            files = [f for f in files if not f.startswith(".")]
        for name in files:
            path = pathlib.Path(folder) / name
            if path.exists():  # a broken link is omitted
                found.append(str(path))
    return sorted(found)


def least_common_ancestor(paths):
    split = [pathlib.PurePosixPath(p).parts for p in paths]
    common = []
    for parts in zip(*split):
        if any(part != parts[0] for part in parts):
            break
        common.append(parts[0])
    return str(pathlib.PurePosixPath(*common))


def upload(store, settings, workspace, log):
    name = settings.get("name") or "artifact"
    lines = [line.strip() for line in str(settings.get("path", "")).splitlines() if line.strip()]
    include_hidden = str(settings.get("include-hidden-files", "false")).lower() == "true"
    patterns = [os.path.normpath(os.path.join(workspace, line)) for line in lines if not line.startswith("!")]
    excludes = [os.path.normpath(os.path.join(workspace, line[1:])) for line in lines if line.startswith("!")]
    searches = [search_path_of(p) for p in patterns]
    files = set()
    for pattern, search in zip(patterns, searches):
        for file in files_under(search, include_hidden):
            if pattern_matches(pattern, file) and not any(pattern_matches(e, file) for e in excludes):
                files.add(file)
    files = sorted(files)
    if not files:
        message = f"No files were found with the provided path: {settings.get('path')}. No artifacts will be uploaded."
        behaviour = settings.get("if-no-files-found", "warn")
        log.write(f"{behaviour}: {message}\n")
        return behaviour != "error"
    if len(searches) > 1:
        root = least_common_ancestor(searches)
    elif len(files) == 1 and files[0] == searches[0]:
        root = os.path.dirname(files[0])
    else:
        root = searches[0]
    archive = store / f"{name}.zip"
    if archive.exists() and str(settings.get("overwrite", "false")).lower() != "true":
        log.write(f"Failed to CreateArtifact: an artifact with this name already exists on the workflow run: {name}\n")
        return False
    store.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for file in files:
            out.write(file, os.path.relpath(file, root))  # follows links: the content, not the link
    log.write(f"uploaded {len(files)} files as {name}, root {root}\n")
    return True


def download(store, settings, workspace, log):
    target = pathlib.Path(os.path.normpath(os.path.join(workspace, str(settings.get("path") or "."))))
    name = settings.get("name")
    if name:
        archive = store / f"{name}.zip"
        if not archive.exists():
            log.write(f"Unable to download artifact(s): Artifact '{name}' not found\n")
            return False
        chosen = [(name, archive, target)]
    else:
        pattern = settings.get("pattern")
        merge = str(settings.get("merge-multiple", "false")).lower() == "true"
        names = sorted(p.stem for p in store.glob("*.zip")) if store.exists() else []
        names = [n for n in names if not pattern or fnmatch.fnmatchcase(n, pattern)]
        chosen = [(n, store / f"{n}.zip", target if merge else target / n) for n in names]
    for artifact_name, archive, destination in chosen:
        with zipfile.ZipFile(archive) as source:
            for entry in source.infolist():
                path = destination / entry.filename
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(source.read(entry))
                path.chmod(0o644)
        log.write(f"downloaded {artifact_name} to {destination}\n")
    log.write(f"Total of {len(chosen)} artifact(s) downloaded\n")
    return True


# --- jobs and steps ----------------------------------------------------------------------------------------

class Run:
    def __init__(self, arguments):
        self.arguments = arguments
        with open(arguments.workflow, encoding="utf-8") as stream:
            self.workflow = yaml.safe_load(stream)
        if True in self.workflow:
            self.workflow["on"] = self.workflow.pop(True)
        self.root = pathlib.Path(arguments.root).resolve()
        self.store = self.root / "artifacts"
        self.inputs = dict(item.split("=", 1) for item in arguments.input)
        self.lost = set(arguments.lose)
        self.replacements = dict(item.split("=", 1) for item in arguments.replace_step)
        self.results = {}  # job id -> result
        self.report = {"jobs": {}, "artifacts": {}}

    def github(self, workspace):
        return {"run_id": "4242", "run_attempt": "1", "event_name": self.arguments.event, "workspace": str(workspace),
                "ref": "refs/heads/main", "ref_name": "main", "repository": "example/project",
                "sha": "0" * 40, "server_url": "https://github.com"}

    def run(self):
        pending = dict(self.workflow["jobs"])
        while pending:
            ready = [name for name, job in pending.items() if all(n in self.results for n in self.needs_of(job))]
            if not ready:
                raise SystemExit(f"jobs with unmet needs: {sorted(pending)}")
            for name in ready:
                self.run_job(name, pending.pop(name))
        for archive in sorted(self.store.glob("*.zip")) if self.store.exists() else []:
            with zipfile.ZipFile(archive) as source:
                self.report["artifacts"][archive.stem] = sorted(source.namelist())
        (self.root / "result.json").write_text(json.dumps(self.report, indent=2) + "\n", encoding="utf-8")

    @staticmethod
    def needs_of(job):
        needs = job.get("needs") or []
        return [needs] if isinstance(needs, str) else needs

    def run_job(self, name, job):
        needs = {n: {"result": self.results[n], "outputs": {}} for n in self.needs_of(job)}
        status = "success" if all(n["result"] == "success" for n in needs.values()) else "failure"
        context = {"github": self.github(""), "inputs": self.inputs, "needs": needs, "vars": {}, "secrets": {}}
        if not condition_holds(job.get("if"), context, status):
            self.results[name] = "skipped"
            self.report["jobs"][name] = {"result": "skipped", "steps": []}
            print(f"job {name}: skipped")
            return
        matrix = ((job.get("strategy") or {}).get("matrix")) or {}
        combinations = [{}]
        for key, values in matrix.items():
            combinations = [dict(c, **{key: v}) for c in combinations for v in values]
        results = [self.run_one(name, job, needs, combination) for combination in combinations]
        self.results[name] = "failure" if "failure" in results else "success"

    def run_one(self, name, job, needs, matrix):
        label = name + (f" ({', '.join(str(v) for v in matrix.values())})" if matrix else "")
        folder = self.root / "runners" / re.sub(r"[^\w.-]+", "-", label).strip("-")
        workspace, temp = folder / "work", folder / "temp"
        workspace.mkdir(parents=True)
        temp.mkdir()
        context = {"github": self.github(workspace), "inputs": self.inputs, "needs": needs, "matrix": matrix,
                   "steps": {}, "runner": {"temp": str(temp), "os": "Linux", "arch": "X64"}, "vars": {},
                   "secrets": {}, "env": {}}
        env = {}
        for key, value in (self.workflow.get("env") or {}).items():
            env[key] = substitute(value, context)
        context["env"] = dict(env)
        for key, value in (job.get("env") or {}).items():
            env[key] = substitute(value, context)
        context["env"] = dict(env)
        paths = []
        status = "success"
        report = {"result": None, "steps": []}
        self.report["jobs"][label] = report
        lost = name in self.lost or any(f"{name}:{v}" in self.lost for v in matrix.values())
        if lost:
            status = "failure"
            report["steps"].append({"name": "(the runner was lost)", "outcome": "failure", "log": ""})
        for index, step in enumerate([] if lost else steps_of(job), 1):
            step_name = step.get("name") or step.get("uses") or f"step {index}"
            context["env"] = dict(env)
            if not condition_holds(step.get("if"), context, status):
                report["steps"].append({"name": step_name, "outcome": "skipped", "log": ""})
                print(f"{label}: {step_name}: skipped")
                continue
            step_env = dict(env)
            for key, value in (step.get("env") or {}).items():
                step_env[key] = substitute(value, dict(context, env=step_env))
            log_path = folder / f"step-{index}.log"
            with open(log_path, "w", encoding="utf-8") as log:
                ok, outputs = self.run_step(step, step_name, context, step_env, workspace, temp, paths, log)
            outcome = "success" if ok else "failure"
            if step.get("id"):
                context["steps"][step["id"]] = {"outputs": outputs, "outcome": outcome, "conclusion": outcome}
            if not ok:
                status = "failure"
            report["steps"].append({"name": step_name, "outcome": outcome, "log": log_path.read_text(encoding="utf-8")})
            print(f"{label}: {step_name}: {outcome}")
        report["result"] = status
        return status

    def run_step(self, step, step_name, context, env, workspace, temp, paths, log):
        used = str(step.get("uses", ""))
        action = used.split("@")[0]
        settings = {k: substitute(v, dict(context, env=env)) for k, v in (step.get("with") or {}).items()}
        if action == "actions/checkout":
            shutil.copytree(self.arguments.project, workspace, dirs_exist_ok=True)
            return True, {}
        if action == "greenlight-ci/greenlight":
            binary = pathlib.Path(self.arguments.greenlight)
            paths.append(str(binary.parent))
            log.write(f"greenlight from {binary}\n")
            return True, {"path": str(binary.parent), "version": ""}
        if action == "actions/upload-artifact":
            return upload(self.store, settings, str(workspace), log), {}
        if action == "actions/download-artifact":
            return download(self.store, settings, str(workspace), log), {"download-path": settings.get("path", "")}
        if used:
            raise SystemExit(f"the action {used} is not emulated")
        script = str(step["run"])
        if step_name in self.replacements:
            script = pathlib.Path(self.replacements[step_name]).read_text(encoding="utf-8")
        script_file = temp / (re.sub(r"[^\w]+", "-", step_name) + ".sh")
        script_file.write_text(substitute(script, dict(context, env=env)), encoding="utf-8")
        output_file, path_file = temp / "output", temp / "path"
        output_file.write_text("")
        path_file.write_text("")
        base = {"PATH": os.pathsep.join(reversed(paths)) + os.pathsep + os.environ["PATH"],
                "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8",
                "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_RUN_ID": context["github"]["run_id"], "GITHUB_RUN_ATTEMPT": context["github"]["run_attempt"],
                "GITHUB_EVENT_NAME": context["github"]["event_name"], "GITHUB_OUTPUT": str(output_file),
                "GITHUB_PATH": str(path_file), "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
                "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64"}
        base.update(env)
        directory = workspace / str(step.get("working-directory", "."))
        completed = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                                   cwd=directory, env=base, stdin=subprocess.DEVNULL, stdout=log,
                                   stderr=subprocess.STDOUT, timeout=240)
        outputs = {}
        for line in output_file.read_text(encoding="utf-8").splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                outputs[key] = value
        paths.extend(line for line in path_file.read_text(encoding="utf-8").splitlines() if line)
        log.write(f"(exit code {completed.returncode})\n")
        return completed.returncode == 0, outputs


def steps_of(job):
    return job.get("steps") or []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("workflow")
    parser.add_argument("--project", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--greenlight", required=True)
    parser.add_argument("--event", required=True)
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--lose", action="append", default=[])
    parser.add_argument("--replace-step", action="append", default=[])
    Run(parser.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())

"""Writes every bash `run:` script of workflows and composite actions to a folder, for shellcheck.

    run_scripts.py OUT_DIR FILE...

Each script becomes OUT_DIR/<file>.<job>.<n>.sh, started the way GitHub starts it (bash -e -o pipefail).
An expression `${{ ... }}` becomes a plain word of the same length, as actionlint does before it runs
shellcheck, so a script is judged as the shell will see it after GitHub substituted the expression.
Prints the number of scripts written.
"""
import pathlib
import re
import sys

import yaml

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
written = 0


def placeholder(match):
    return "_" * len(match.group(0))


def write(origin, label, index, step, default_shell):
    global written
    script = step.get("run")
    if script is None:
        return
    shell = step.get("shell", default_shell)
    if shell not in ("bash", None):
        return
    name = f"{origin.replace('/', '_')}.{label}.{index}.sh"
    body = re.sub(r"\$\{\{.*?\}\}", placeholder, str(script))
    header = f"#!/usr/bin/env bash\n# {origin}: {label}, step {index} ({step.get('name', '')})\nset -eo pipefail\n"
    (out / name).write_text(header + body + "\n", encoding="utf-8")
    written += 1


for argument in sys.argv[2:]:
    path = pathlib.Path(argument)
    with open(path, encoding="utf-8") as stream:
        document = yaml.safe_load(stream)
    origin = path.name if path.parent.name != "workflows" else f"workflows/{path.name}"
    runs = document.get("runs") or {}
    if runs.get("using") == "composite":
        for index, step in enumerate(runs.get("steps") or [], 1):
            write(path.name, "action", index, step, None)
        continue
    workflow_shell = (((document.get("defaults") or {}).get("run")) or {}).get("shell")
    for job_name, job in (document.get("jobs") or {}).items():
        job_shell = (((job.get("defaults") or {}).get("run")) or {}).get("shell", workflow_shell)
        for index, step in enumerate(job.get("steps") or [], 1):
            write(f"{path.parent.name}/{path.name}", job_name, index, step, job_shell)

print(written)

#!/usr/bin/env python3
"""Checks the source tree against the layer table in docs/ARCHITECTURE.md.

Each row of the table names a folder under src/greenlight/ and the folders it may include. This fails, naming
file and line, on:
  - an #include "greenlight/<folder>/..." of a folder the table does not allow;
  - a greenlight_<folder> library in CMakeLists.txt (greenlight_area(... DEPS ...)) that links a folder the
    table does not allow, or one it never includes (a link with no use);
  - a folder under src/greenlight/ that the table does not describe, or a row for a folder that does not exist.
The files at the top of src/greenlight/ (exit_code.hpp, version.hpp, the generated resources.hpp) may be
included from anywhere.

    scripts/check-layering.py [--root DIR]     (DIR: the repository; default: this script's repository)
Exit 0 when the tree keeps to the table, 1 with one line per breach, 2 when the table cannot be read.
"""
import argparse
import pathlib
import re
import sys

TOP_LEVEL_HEADERS = {"exit_code.hpp", "version.hpp", "resources.hpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"greenlight/([A-Za-z0-9_]+)(/|\.hpp")')
ROW = re.compile(r"^\|\s*`([a-z0-9_]+)/`\s*\|.*\|\s*([^|]*?)\s*\|\s*$")


def read_table(architecture: pathlib.Path) -> dict:
    """folder -> (set of folders it may include or the word 'everything', line number)."""
    rows = {}
    for number, line in enumerate(architecture.read_text(encoding="utf-8").splitlines(), start=1):
        match = ROW.match(line)
        if not match:
            continue
        folder, allowed_text = match.group(1), match.group(2)
        if allowed_text.strip() == "everything":
            rows[folder] = ("everything", number)
            continue
        named = set(re.findall(r"`([a-z0-9_]+)`", allowed_text))
        below = "and below" in allowed_text
        rows[folder] = ((named, below), number)
    return rows


def allowed_sets(rows: dict) -> dict:
    """folder -> the set of folders it may include, with 'X and below' meaning X and what X may include."""
    resolved = {}

    def resolve(folder, seen=()):
        if folder in resolved:
            return resolved[folder]
        spec, _ = rows[folder]
        if spec == "everything":
            result = set(rows) - {folder}
        else:
            named, below = spec
            result = set(named)
            if below:
                for name in named:
                    if name in rows and name not in seen:
                        result |= resolve(name, seen + (folder,))
        resolved[folder] = result
        return result

    for folder in rows:
        resolve(folder)
    return resolved


def cmake_links(cmake: pathlib.Path) -> dict:
    """folder -> (list of greenlight_<folder> it links, line number of its greenlight_area call)."""
    text = cmake.read_text(encoding="utf-8")
    links = {}
    for match in re.finditer(r"greenlight_area\(\s*([a-z0-9_]+)\s+DEPS\s+([^)]*)\)", text):
        line = text.count("\n", 0, match.start()) + 1
        deps = re.findall(r"\bgreenlight_([a-z0-9_]+)\b", match.group(2))
        links[match.group(1)] = (deps, line)
    return links


def main() -> int:
    parser = argparse.ArgumentParser(description="Check src/ against the layer table of docs/ARCHITECTURE.md.")
    parser.add_argument("--root", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent,
                        help="the repository to check (default: this script's)")
    root = parser.parse_args().root
    architecture = root / "docs" / "ARCHITECTURE.md"
    source = root / "src" / "greenlight"
    try:
        rows = read_table(architecture)
    except OSError as error:
        print(f"check-layering: cannot read {architecture}: {error.strerror}", file=sys.stderr)
        return 2
    if not rows:
        print(f"check-layering: {architecture}: no layer table (rows like | `util/` | does | may include |)",
              file=sys.stderr)
        return 2
    allowed = allowed_sets(rows)
    breaches = []

    folders = {path.name for path in source.iterdir() if path.is_dir()}
    for folder in sorted(folders - set(rows)):
        breaches.append(f"src/greenlight/{folder}/: a folder docs/ARCHITECTURE.md's layer table does not describe")
    for folder in sorted(set(rows) - folders):
        breaches.append(f"docs/ARCHITECTURE.md:{rows[folder][1]}: the table describes `{folder}/`, which does not "
                        "exist under src/greenlight/")

    used = {folder: set() for folder in folders}
    for folder in sorted(folders & set(rows)):
        for path in sorted((source / folder).rglob("*")):
            if path.suffix not in {".hpp", ".cpp", ".h", ".cc", ".in"} or not path.is_file():
                continue
            relative = path.relative_to(root)
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                if match.group(2) != "/":
                    if f"{target}.hpp" not in TOP_LEVEL_HEADERS:
                        breaches.append(f"{relative}:{number}: includes greenlight/{target}.hpp, which is not one of "
                                        f"the top-level headers ({', '.join(sorted(TOP_LEVEL_HEADERS))})")
                    continue
                if target == folder:
                    continue
                used[folder].add(target)
                if target not in allowed[folder]:
                    may = ", ".join(sorted(allowed[folder])) or "nothing of greenlight"
                    breaches.append(f"{relative}:{number}: `{folder}/` includes `{target}/`, which the layer table "
                                    f"(docs/ARCHITECTURE.md:{rows[folder][1]}) does not allow; it may include: {may}")

    links = cmake_links(root / "CMakeLists.txt")
    for folder, (deps, line) in sorted(links.items()):
        if folder not in rows:
            continue
        for dep in deps:
            if dep not in rows:
                continue  # a third-party wrapper (greenlight_re2, greenlight_cmark_gfm), not a layer
            if dep not in allowed[folder]:
                breaches.append(f"CMakeLists.txt:{line}: greenlight_{folder} links greenlight_{dep}, which the layer "
                                f"table (docs/ARCHITECTURE.md:{rows[folder][1]}) does not allow")
            elif dep not in used.get(folder, set()):
                breaches.append(f"CMakeLists.txt:{line}: greenlight_{folder} links greenlight_{dep} but no file of "
                                f"src/greenlight/{folder}/ includes it: drop the link")

    for breach in breaches:
        print(breach)
    if breaches:
        print(f"check-layering: {len(breaches)} breach(es) of the layer table", file=sys.stderr)
        return 1
    print(f"check-layering: {len(folders)} folders keep to docs/ARCHITECTURE.md's layer table")
    return 0


if __name__ == "__main__":
    sys.exit(main())

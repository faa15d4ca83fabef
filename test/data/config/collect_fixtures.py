#!/usr/bin/env python3
"""Collects the greenlight.yml texts the CLI and unit tests write into fixtures/ (one file each).

The corpus is checked in; run this again after adding config tests (from the repository root):
    /usr/bin/python3 test/data/config/collect_fixtures.py
It finds heredocs in test/cli/*.sh, and raw strings and runs of adjacent string literals in
test/unit/**/*.cpp|hpp, that look like a greenlight.yml (a line starting with `version:`,
`project:` or `suites:`). Texts the tests build at run time (`header + "..."`) are not found.
"""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = pathlib.Path(__file__).resolve().parent / "fixtures"
LOOKS_LIKE_CONFIG = re.compile(r"^(version|project|suites):", re.M)

HEREDOC = re.compile(r"<<-?\s*'?\"?([A-Za-z_]+)'?\"?[^\n]*\n(.*?)\n\1\n", re.S)
RAW = re.compile(r'R"([^(\s]{0,16})\((.*?)\)\1"', re.S)
LITERAL_RUN = re.compile(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "0": "\0", "r": "\r"}


def c_unescape(text):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def from_shell(text):
    for match in HEREDOC.finditer(text):
        # Unquoted heredocs expand $variables; those texts depend on the test's run and are skipped.
        opener = text[text.rfind("\n", 0, match.start()) + 1 : match.start() + 40]
        if "'" not in opener.split("<<", 1)[-1].split("\n")[0] and "$" in match.group(2):
            continue
        yield match.group(2) + "\n"


def from_cpp(text):
    for match in RAW.finditer(text):
        yield match.group(2)
    scrubbed = RAW.sub('""', text)
    for match in LITERAL_RUN.finditer(scrubbed):
        yield "".join(c_unescape(part) for part in LITERAL.findall(match.group(0)))


def main():
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.yml"):
        old.unlink()
    seen = set()
    sources = sorted((ROOT / "test/cli").glob("*.sh")) + sorted((ROOT / "test/unit").rglob("*.[ch]pp"))
    count = 0
    for source in sources:
        text = source.read_text(encoding="utf-8", errors="replace")
        texts = from_shell(text) if source.suffix == ".sh" else from_cpp(text)
        index = 0
        for config in texts:
            if not LOOKS_LIKE_CONFIG.search(config) or "\n" not in config.strip("\n"):
                continue
            digest = hashlib.sha256(config.encode()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            index += 1
            area = source.parent.name
            name = f"{area}-{source.stem}-{index:02d}.yml"
            (OUT / name).write_text(config, encoding="utf-8")
            count += 1
    print(f"{count} fixtures in {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Holds `greenlight config validate` and the JSON Schema `greenlight config schema` prints to one truth.

Every fixture under test/data/config/fixtures, and mutations of test/data/config/full.yml (every key
given a value of each JSON type: number, string, bool, list, map, null; an unknown key added to every
mapping), goes through both: the loader (exit 0 or 2) and a Draft 2020-12 validator (python3-jsonschema).
YAML is read as YAML 1.2 (core schema), as greenlight reads it: `yes` and `on` are strings.
Any difference fails, naming the fixture and the key. When the loader rejects a mutated key, one of its
error lines must be `file:line:column: <that key's path>: expected ...; found ...` (or `unknown key`).

The loader also checks what no JSON Schema can say (a tier naming a suite that does not exist, ...);
test/data/config/schema_cannot_express.txt lists those messages, and a fixture the loader rejects
while the schema accepts passes only when every error line is one of them.

Usage: config_agreement.py GREENLIGHT_BINARY DATA_DIR WORK_DIR
"""
import copy
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml

# ---- YAML 1.2 core schema for PyYAML (which implements YAML 1.1: `yes` is a bool, `1:30` an int) ----

CORE_RESOLVERS = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     list("-+0123456789.")),
]


def core_resolvers(cls):
    cls.yaml_implicit_resolvers = {}
    for tag, pattern, first in CORE_RESOLVERS:
        cls.add_implicit_resolver(tag, re.compile(pattern), first)
    return cls


@core_resolvers
class CoreLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        # YAML requires unique keys; PyYAML would quietly keep the last one, which no JSON Schema could see.
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


CoreLoader.add_constructor("tag:yaml.org,2002:int", construct_int)
CoreLoader.add_constructor("tag:yaml.org,2002:float", construct_float)
CoreLoader.add_constructor("tag:yaml.org,2002:bool", construct_bool)


@core_resolvers
class CoreDumper(yaml.SafeDumper):
    pass


def load_yaml(text):
    return yaml.load(text, Loader=CoreLoader)


def dump_yaml(document):
    return yaml.dump(document, Dumper=CoreDumper, sort_keys=False, allow_unicode=True, width=1000)


# ---- the two judges ----

class Judges:
    def __init__(self, greenlight, work):
        self.greenlight = greenlight
        self.work = work
        printed = subprocess.run([greenlight, "config", "schema"], capture_output=True, text=True, check=True)
        self.schema_text = printed.stdout
        schema = json.loads(printed.stdout)
        jsonschema.Draft202012Validator.check_schema(schema)
        self.validator = jsonschema.Draft202012Validator(schema)

    def loaders(self, cases):
        """Runs `config validate` once over many files; answers (valid, error lines) for each (name, text)."""
        paths = []
        for name, text in cases:
            path = os.path.join(self.work, name)
            with open(path, "w", encoding="utf-8") as stream:
                stream.write(text)
            paths.append(path)
        lines = []
        for start in range(0, len(paths), 400):
            chunk = paths[start:start + 400]
            done = subprocess.run([self.greenlight, "config", "validate", *chunk], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            if done.returncode not in (0, 2):
                raise SystemExit(f"FAIL: config validate exited {done.returncode}:\n{done.stdout}{done.stderr}")
            lines += (done.stdout + done.stderr).splitlines()
        answers = []
        for path in paths:
            mine = [line[len(path):] for line in lines if line.startswith(path + ":")]
            valid = any(line.startswith(": valid (") for line in mine)
            answers.append((valid, [line for line in mine if not line.startswith(": valid (")]))
        return answers

    def schema(self, text):
        try:
            document = load_yaml(text)
        except yaml.YAMLError as error:
            return False, [f"not YAML: {str(error).splitlines()[0]}"]
        errors = sorted(self.validator.iter_errors(document), key=lambda error: list(error.absolute_path))
        return not errors, [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message[:200]}" for e in errors]


def verdict(valid):
    return "valid" if valid else "invalid"


def read_exceptions(data_dir):
    patterns = []
    with open(os.path.join(data_dir, "schema_cannot_express.txt"), encoding="utf-8") as stream:
        for line in stream:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                patterns.append(re.compile(line))
    return patterns


def only_exceptions(loader_lines, exceptions):
    """Whether every error the loader gave is one a JSON Schema cannot express."""
    return bool(loader_lines) and all(any(p.search(line) for p in exceptions) for line in loader_lines)


# ---- fixtures ----

def check_fixtures(judges, data_dir, exceptions, differences):
    folder = os.path.join(data_dir, "fixtures")
    names = sorted(name for name in os.listdir(folder) if name.endswith(".yml"))
    cases = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as stream:
            cases.append((name, stream.read()))
    for (name, text), (loader_valid, loader_lines) in zip(cases, judges.loaders(cases)):
        schema_valid, schema_lines = judges.schema(text)
        if loader_valid == schema_valid:
            continue
        if not loader_valid and only_exceptions(loader_lines, exceptions):
            continue
        differences.append(
            f"fixture {name}: loader says {verdict(loader_valid)}, schema says {verdict(schema_valid)}\n"
            f"    loader: {loader_lines[:3]}\n    schema: {schema_lines[:3]}")
    return len(names)


# ---- mutations ----

WRONG_VALUES = [("number", 42), ("string", "some text"), ("bool", True), ("list", ["x"]), ("map", {"x": "y"}),
                ("null", None)]


def key_paths(node, path=()):
    """Every (path, value) below node; a path is a tuple of keys and list indexes."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,), value
            yield from key_paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (dict, list)):
                yield from key_paths(value, path + (index,))


def mappings(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from mappings(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from mappings(value, path + (index,))


def set_at(document, path, value):
    changed = copy.deepcopy(document)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def loader_path(path):
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "list", dict: "map"}[type(value)]


def names_the_key(lines, path, type_error):
    """One error line is `:line:column: <path or below it>: ...`; for a value of the wrong type it must read
    `expected ...; found ...` (or name the unknown or missing key below it)."""
    key = re.escape(loader_path(path))
    message = r"(?:expected .*; found .*|unknown key.*|missing key.*)" if type_error else r".+"
    pattern = re.compile(r"^:\d+:\d+: " + key + r"(?:[.\[][^:]*)?: " + message + "$")
    return any(pattern.match(line) for line in lines)


def general_path(path, document):
    """The path with free-form names (suite, tier, check, channel names) and list indexes left out, so that
    each place of the schema is mutated once rather than once per suite."""
    free = {"suites", "tiers", "env", "gates", "checks", "channels", "flaky"}
    general, node, parent_key = [], document, None
    for part in path:
        if isinstance(part, int):
            general.append("[]")
        elif parent_key in free and parent_key != "checks":
            general.append("<name>")
        else:
            general.append(str(part))
        node = node[part] if isinstance(node, (dict, list)) else None
        parent_key = part
    return tuple(general)


def check_mutations(judges, data_dir, exceptions, differences):
    with open(os.path.join(data_dir, "full.yml"), encoding="utf-8") as stream:
        full_text = stream.read()
    full = load_yaml(full_text)
    [(loader_valid, loader_lines)] = judges.loaders([("full.yml", full_text)])
    schema_valid, schema_lines = judges.schema(full_text)
    if not (loader_valid and schema_valid):
        differences.append(f"full.yml must be valid for both: loader {loader_lines[:3]}, schema {schema_lines[:3]}")
        return 0
    cases, descriptions = [], []
    seen = set()
    for path, value in key_paths(full):
        general = general_path(path, full)
        if general in seen:
            continue
        seen.add(general)
        for type_name, wrong in WRONG_VALUES:
            if type(wrong) is type(value) and not isinstance(wrong, (dict, list)):
                continue
            cases.append((f"mutation-{len(cases) + 1}.yml", dump_yaml(set_at(full, path, wrong))))
            descriptions.append((f"full.yml with {loader_path(path)} = {json.dumps(wrong)} ({type_name})", path,
                                 json_type(wrong) != json_type(value)))
    for path, mapping in mappings(full):
        general = general_path(path, full) + ("<unknown>",)
        if general in seen:
            continue
        seen.add(general)
        document = set_at(full, path + ("no_such_key",), "x") if path else {**full, "no_such_key": "x"}
        cases.append((f"unknown-{len(cases) + 1}.yml", dump_yaml(document)))
        descriptions.append((f"full.yml with an unknown key at {loader_path(path) or '(top)'}", None, False))
    for (name, text), (where, path, type_error), (loader_valid, loader_lines) in zip(cases, descriptions,
                                                                                  judges.loaders(cases)):
        schema_valid, schema_lines = judges.schema(text)
        if not loader_valid and schema_valid and only_exceptions(loader_lines, exceptions):
            continue
        if loader_valid != schema_valid:
            differences.append(f"{where}: loader says {verdict(loader_valid)}, schema says {verdict(schema_valid)}"
                               f"\n    loader: {loader_lines[:2]}\n    schema: {schema_lines[:2]}")
        elif not loader_valid and path is not None and not names_the_key(loader_lines, path, type_error):
            differences.append(f"{where}: no loader error names {loader_path(path)} as "
                               f"`file:line:column: key: expected ...; found ...`\n    loader: {loader_lines[:3]}")
    return len(cases)


def main():
    greenlight, data_dir, work = sys.argv[1:4]
    judges = Judges(greenlight, work)
    differences = []
    exceptions = read_exceptions(data_dir)
    fixtures = check_fixtures(judges, data_dir, exceptions, differences)
    mutations = check_mutations(judges, data_dir, exceptions, differences)
    for difference in differences:
        print(f"DIFFERENCE: {difference}")
    print(f"{fixtures} fixtures and {mutations} mutations judged by the loader and the schema; "
          f"{len(differences)} differences")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env bash
# How fast is greenlight's `secrets` check, and does it find what was planted? Generates about 1 GiB of
# mixed text (source-like lines, prose, JSON records; small files and a few large ones) with a known
# number of planted secrets (every rule: private keys, AWS, GitHub, Slack, Stripe, Google, JWT, generic
# assignments, emails, Luhn-valid card numbers) and decoys that must not be reported (placeholders,
# low-entropy values, reserved example emails, Luhn-failing numbers), then times
#   greenlight check --only secrets --json
# with `checks: {secrets: {type: secrets}}`, and, as a reference point, GNU grep -E over the same files
# with the rules' trigger patterns (grep only finds candidate lines; it confirms nothing).
# Prints MB/s for both and planted vs found per rule. A report, not a test: a missed target (200 MB/s
# on two cores) does not fail the script.
# Usage: bench/secrets.sh [GREENLIGHT_BINARY] [SCRATCH_DIR]
#   GREENLIGHT_BINARY defaults to build/greenlight, SCRATCH_DIR to $TMPDIR or /tmp (1.1 GiB free needed;
#   the generated folder is removed at the end). SECRETS_BENCH_MEBIBYTES changes the size (default 1024).
#   SECRETS_BENCH_GENERATE_ONLY=DIR only generates the tree into DIR (kept) and prints the planted counts.
# The tree is not a git work tree, so greenlight lists it by walking the folder. Needs python3.
set -euo pipefail

binary=${1:-build/greenlight}
scratch=${2:-${TMPDIR:-/tmp}}
mebibytes=${SECRETS_BENCH_MEBIBYTES:-1024}
runs=3
command -v python3 >/dev/null || { echo "secrets bench: python3 is needed to generate the input" >&2; exit 2; }

generate() {  # generate FOLDER MEBIBYTES: writes the tree and FOLDER/../planted.json
    python3 - "$1" "$2" <<'PYTHON'
import json, os, random, sys

root, mebibytes = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261121)
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = ALNUM + "+/"
WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at which but have an "
         "they you were her she there been one all we their has would when if can more no out so said what up its "
         "about into than them only other time new some could these two may first then do any like my now over "
         "such our man me even most made after also did many before must through back years where much your way "
         "well down should because each just those people how too little state good very make world still own see "
         "men work long get here between both life being under never day same another know while last might us "
         "great old year off come since against go came right used take three build pipeline check coverage tier "
         "runner bundle manifest gate suite verdict").split()

def rand(alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))

def luhn_complete(prefix, length):
    digits = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9: n -= 9
        total += n
    return digits + str((10 - total % 10) % 10)

def grouped(number):
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))

# Each planter returns (rule, text); the rule is None for decoys, which must not be reported.
def private_key():
    body = "\n".join(rand(B64, 64) for _ in range(8))
    kind = rng.choice(["RSA ", "EC ", "OPENSSH ", ""])
    return "private-key", f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"

PLANTERS = [
    private_key,
    lambda: ("aws-access-key-id", "aws_access_key_id = " + "AKIA" + rand(UPPER, 16)),
    lambda: ("github-token", "GH_TOKEN_VALUE: " + "ghp_" + rand(ALNUM, 36)),
    lambda: ("slack-token", "hook(\"" + "xoxb-" + rand("0123456789", 12) + "-" + rand(ALNUM, 24) + "\")"),
    lambda: ("stripe-key", "stripe.api = '" + "sk_live_" + rand(ALNUM, 24) + "'"),
    lambda: ("google-api-key", "maps?key=" + "AIza" + rand(ALNUM + "_-", 35) + "&v=3"),
    lambda: ("jwt", "Authorization: Bearer " + "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiI" + rand(ALNUM, 20) + "." +
             rand(ALNUM + "_-", 43)),
    lambda: ("generic-secret", "    db_password = \"" + rand(ALNUM + "!#%", 24) + "\""),
    lambda: ("email", "Reported-by: " + rng.choice(WORDS) + "." + rng.choice(WORDS) + "@" + "corp-mail.de"),
    lambda: ("card-number", "card: " + grouped(luhn_complete("4", 16))),
    lambda: (None, "password = \"${DATABASE_PASSWORD}\""),
    lambda: (None, "api_key: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxx\""),
    lambda: (None, "token = \"aaaaaaaabbbbbbbbaaaaaaaa\""),
    lambda: (None, "contact: someone@" + "example.com"),
    lambda: (None, "card: " + grouped(str(int(luhn_complete("4", 16)) ^ 1))),
]

def source_line():
    name = rng.choice(WORDS) + "_" + str(rng.randrange(100))
    return rng.choice([
        f"    int {name} = compute({rng.choice(WORDS)}, {rng.randrange(1000)}) + {rng.randrange(50)};",
        f"    if ({name} > {rng.randrange(100)}) return {rng.choice(WORDS)}_{rng.randrange(9)}(token_count);",
        f"// {' '.join(rng.choice(WORDS) for _ in range(rng.randrange(4, 12)))}",
        f"    const auto {name} = std::make_unique<{rng.choice(WORDS).title()}>(\"{rng.choice(WORDS)}\");",
        f"    @Override public String {name}() {{ return this.{rng.choice(WORDS)}; }}",
        "    }",
        "",
    ])

def prose_line():
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(8, 20))).capitalize() + "."

def json_line():
    return json.dumps({"id": rng.randrange(10**9), "name": rng.choice(WORDS), "ratio": rng.random(),
                       "created_ms": 1700000000000 + rng.randrange(10**9), "tags": rng.sample(WORDS, 3),
                       "sha": "%040x" % rng.getrandbits(160)})

KINDS = [(".cpp", source_line), (".md", prose_line), (".jsonl", json_line)]

def make_file(size):
    extension, line = rng.choice(KINDS)
    lines, total = [], 0
    while total < size:
        text = line()
        lines.append(text)
        total += len(text) + 1
    return extension, lines

# One unit of distinct files (about 64 MiB), then copies of it under other names up to the size asked for.
unit_mebibytes = min(64, mebibytes)
planted = {}
unit = os.path.join(root, "unit-0")
written = 0
index = 0
while written < unit_mebibytes << 20:
    size = rng.choice([4096, 16384, 65536, 131072]) if index % 250 else 4 << 20
    extension, lines = make_file(size)
    for _ in range(rng.randrange(0, 3)):
        rule, text = rng.choice(PLANTERS)()
        lines.insert(rng.randrange(len(lines) + 1), text)
        if rule:
            planted[rule] = planted.get(rule, 0) + 1
    folder = os.path.join(unit, f"d{index % 16}")
    os.makedirs(folder, exist_ok=True)
    content = "\n".join(lines) + "\n"
    with open(os.path.join(folder, f"f{index}{extension}"), "w") as out:
        out.write(content)
    written += len(content)
    index += 1
copies = max(1, round(mebibytes / unit_mebibytes))
with open(os.path.join(os.path.dirname(root.rstrip("/")), "planted.json"), "w") as out:
    json.dump({"copies": copies, "planted": {rule: count * copies for rule, count in planted.items()}}, out)
PYTHON
    local copies
    copies=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["copies"])' "$(dirname "$1")/planted.json")
    for ((copy = 1; copy < copies; copy++)); do cp -r "$1/unit-0" "$1/unit-$copy"; done
}

if [[ -n ${SECRETS_BENCH_GENERATE_ONLY:-} ]]; then
    mkdir -p "$SECRETS_BENCH_GENERATE_ONLY/tree"
    generate "$SECRETS_BENCH_GENERATE_ONLY/tree" "$mebibytes"
    cat "$SECRETS_BENCH_GENERATE_ONLY/planted.json"; echo
    exit 0
fi

if [[ ! -x $binary ]]; then
    echo "secrets bench: no greenlight binary at '$binary' (build it, or pass its path)" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
work=$(mktemp -d "$scratch/greenlight-secrets-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
tree=$work/tree
mkdir -p "$tree"
echo "generating about $mebibytes MiB of mixed text..."
generate "$tree" "$mebibytes"
printf 'version: 1\nproject: secrets-bench\nchecks:\n  secrets: {type: secrets}\n' >"$tree/greenlight.yml"
total_bytes=$(find "$tree" -type f -printf '%s\n' | awk '{ total += $1 } END { print total }')
find "$tree" -type f -print0 | xargs -0 cat >/dev/null  # warm the page cache: this measures scanning

seconds_of() {  # seconds_of COMMAND [RUNS]: median wall time of RUNS (default $runs) runs, after a warm-up if RUNS > 1
    local times=() start end count=${2:-$runs}
    if ((count > 1)); then bash -c "$1" >/dev/null 2>&1 || true; fi
    for ((run = 0; run < count; run++)); do
        start=$(date +%s.%N)
        bash -c "$1" >/dev/null 2>&1 || true
        end=$(date +%s.%N)
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.6f", e - s }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Exit 1 (findings) is the expected outcome; anything else means the command is not there or broke.
set +e
(cd "$tree" && "$binary" check --only secrets --json) >"$work/findings.json" 2>"$work/check.err"
status=$?
set -e
if [[ $status -ne 0 && $status -ne 1 ]]; then
    echo "secrets bench: '$binary check --only secrets --json' exited $status:" >&2
    head -5 "$work/check.err" >&2
    exit 2
fi
greenlight_seconds=$(seconds_of "cd '$tree' && '$binary' check --only secrets --json")
# CPU time of one more run: on a busy machine it tells what the wall time cannot.
TIMEFORMAT='%U %S'
greenlight_cpu=$({ time (cd "$tree" && "$binary" check --only secrets --json >/dev/null 2>&1 || true); } 2>&1 |
    awk '{ print $1 + $2 }')

cat >"$work/triggers.txt" <<'PATTERNS'
PRIVATE KEY
(AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}
gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22}
xox[baprs]-[0-9A-Za-z-]{10}
[sr]k_live_[0-9A-Za-z]{16}
AIza[0-9A-Za-z_-]{35}
eyJ[A-Za-z0-9_-]{8,}\.eyJ
(password|passwd|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?key)["']?[[:blank:]]*[:=]
[A-Za-z0-9._%+-]@[A-Za-z0-9-]+\.[A-Za-z]{2}
[2-6]([ -]?[0-9]){12}
PATTERNS
# grep is much slower: one timed run is enough for a reference point. Its output goes through a pipe:
# GNU grep writing to /dev/null stops at the first match.
grep_seconds=$(seconds_of "LC_ALL=C grep -rniE -f '$work/triggers.txt' '$tree' | wc -l" 1)

python3 - "$work/findings.json" "$work/planted.json" "$total_bytes" "$greenlight_seconds" "$grep_seconds" \
    "$greenlight_cpu" <<'PYTHON'
import json, sys
findings_path, planted_path, total, greenlight, grep, cpu = sys.argv[1:]
total, greenlight, grep, cpu = int(total), float(greenlight), float(grep), float(cpu)
planted = json.load(open(planted_path))["planted"]
found = {}
def walk(node):  # counts every object with a "rule" member, whatever the report's layout
    if isinstance(node, dict):
        if isinstance(node.get("rule"), str) and ("line" in node or "path" in node):
            found[node["rule"]] = found.get(node["rule"], 0) + 1
        for value in node.values(): walk(value)
    elif isinstance(node, list):
        for value in node: walk(value)
try:
    walk(json.load(open(findings_path)))
except ValueError as error:
    print(f"could not read greenlight's JSON report: {error}")
mb = total / 1e6
print(f"input: {mb:.0f} MB")
print(f"greenlight check --only secrets: {greenlight:.2f} s, {mb / greenlight:.0f} MB/s (target 200 MB/s); "
      f"CPU {cpu:.2f} s user+sys, {mb / cpu:.0f} MB per CPU-second")
print(f"grep -rniE (trigger lines only, one thread): {grep:.2f} s, {mb / grep:.0f} MB/s")
print(f"{'rule':20} {'planted':>8} {'found':>8}")
for rule in sorted(set(planted) | set(found)):
    print(f"{rule:20} {planted.get(rule, 0):8} {found.get(rule, 0):8}")
print(f"{'total':20} {sum(planted.values()):8} {sum(found.values()):8}")
PYTHON

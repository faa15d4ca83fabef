#!/usr/bin/env bash
# `greenlight verify` re-proves a bundle (folder or .tar.gz): a changed byte, a missing file, an
# extra file, an unsafe manifest path or a symlink leaving the bundle all fail it (exit 1) with the
# problem named. `greenlight pack` is deterministic (same bytes twice, and after touching every file).
# manifest-sha256.txt works with `sha256sum -c`.
# Usage: bundle_verify_pack.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY SOURCE_DATE_EPOCH

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: evidence
artifacts: out
suites:
  unit:
    run: "printf '1..3\\nok 1 a\\nok 2 b\\nok 3 c\\n' > {outputs}/results.tap; echo unit ran; mkdir -p {outputs}/deep/er; echo data > {outputs}/deep/er/file.txt"
    results: { tap: "{outputs}/results.tap" }
  lint:
    run: "echo lint clean"
tiers:
  pr-fast: [unit, lint]
YML
gl run --tier pr-fast --no-smoke --run-id good
expect_rc 0 "green run"
bundle=$project/out/evidence/good

fresh_copy() {  # fresh_copy NAME: a copy of the good bundle in $work/NAME (folder name kept: good)
    rm -rf "${work:?}/$1"
    mkdir -p "$work/$1"
    cp -a "$bundle" "$work/$1/good"
    echo "$work/$1/good"
}

note "a good bundle verifies"
gl verify "$bundle"
expect_rc 0 "verify of a good bundle"
(cd "$bundle" && sha256sum -c --quiet --strict manifest-sha256.txt) >"$work/sha.out" 2>&1 \
    || fail "sha256sum -c manifest-sha256.txt fails in a good bundle: $(cat "$work/sha.out")"
# manifest.json and manifest-sha256.txt list the same files with the same digests.
"$python" - "$bundle" <<'PY' || fail "manifest.json and manifest-sha256.txt disagree, or miss a file"
import json, os, sys
root = sys.argv[1]
m = json.load(open(os.path.join(root, "manifest.json")))
from_json = {f["path"]: f["sha256"] for f in m["files"]}
from_txt = {}
for line in open(os.path.join(root, "manifest-sha256.txt")):
    digest, path = line.rstrip("\n").split("  ", 1)
    from_txt[path] = digest
files = set()
for d, _, names in os.walk(root):
    for n in names:
        rel = os.path.relpath(os.path.join(d, n), root)
        if rel not in ("manifest.json", "manifest-sha256.txt"):
            files.add(rel)
ok = from_json == from_txt and set(from_json) == files
for f in m["files"]:
    ok = ok and os.path.getsize(os.path.join(root, f["path"])) == f["size"]
if not ok:
    print("json:", sorted(from_json), "\ntxt:", sorted(from_txt), "\non disk:", sorted(files), file=sys.stderr)
    sys.exit(1)
PY

note "one flipped byte: modified"
copy=$(fresh_copy flipped)
target=$copy/suites/unit/output.log
first=$(head -c 1 "$target")
[[ $first == u ]] || fail "unexpected first byte of unit/output.log: '$first'"
printf 'U' | dd of="$target" bs=1 seek=0 conv=notrunc status=none
gl verify "$copy"
expect_rc 1 "verify after a flipped byte"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "modified.*suites/unit/output.log" "$work/both" "verify names the modified file"

note "a deleted file: missing"
copy=$(fresh_copy deleted)
rm "$copy/suites/unit/outputs/deep/er/file.txt"
gl verify "$copy"
expect_rc 1 "verify after a deleted file"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "missing.*suites/unit/outputs/deep/er/file.txt" "$work/both" "verify names the missing file"

note "an added file: extra"
copy=$(fresh_copy added)
echo "smuggled" >"$copy/suites/lint/outputs/smuggled.txt"
gl verify "$copy"
expect_rc 1 "verify after an added file"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "extra.*suites/lint/outputs/smuggled.txt" "$work/both" "verify names the extra file"

note "a manifest entry with ../x: unsafe"
copy=$(fresh_copy traversal)
"$python" - "$copy/manifest.json" <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["files"][0]["path"] = "../x"
json.dump(m, open(p, "w"), indent=2)
PY
gl verify "$copy"
expect_rc 1 "verify of a manifest with ../x"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "unsafe.*\.\./x" "$work/both" "verify calls ../x unsafe"

note "a symlink to /etc/passwd: unsafe"
copy=$(fresh_copy symlink)
ln -s /etc/passwd "$copy/suites/unit/outputs/passwd"
gl verify "$copy"
expect_rc 1 "verify of a bundle with a symlink leaving it"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "unsafe.*suites/unit/outputs/passwd" "$work/both" "verify calls the symlink unsafe"

note "pack is deterministic"
gl pack "$bundle" -o "$work/one.tar.gz"
expect_rc 0 "pack"
expect_file "$work/one.tar.gz" "packed archive"
# The second pack runs in a later second of the clock than the first, so a time of packing would show.
packed_at=$(date +%s)
clock_moved_on() { (( $(date +%s) > packed_at )); }
wait_for 3 clock_moved_on || fail "the clock did not move on"
gl pack "$bundle" -o "$work/two.tar.gz"
expect_rc 0 "second pack"
cmp -s "$work/one.tar.gz" "$work/two.tar.gz" || fail "two packs of the same bundle differ"
find "$bundle" -exec touch {} +
gl pack "$bundle" -o "$work/three.tar.gz"
expect_rc 0 "pack after touch"
cmp -s "$work/one.tar.gz" "$work/three.tar.gz" || fail "pack differs after touching every file (mtimes leaked into the archive)"
copy=$(fresh_copy elsewhere)
chmod -R go-rwx "$copy"
gl pack "$copy" -o "$work/four.tar.gz"
expect_rc 0 "pack of a copy"
cmp -s "$work/one.tar.gz" "$work/four.tar.gz" || fail "pack of a copy elsewhere (other modes) differs"

note "verify the .tar.gz"
gl verify "$work/one.tar.gz"
expect_rc 0 "verify of the packed archive"
mkdir -p "$work/unpacked"
tar -xzf "$work/one.tar.gz" -C "$work/unpacked" || fail "tar cannot extract the packed archive"
unpacked_root=$(find "$work/unpacked" -name manifest.json -printf '%h\n' | head -n 1)
[[ -n $unpacked_root ]] || fail "no manifest.json in the packed archive"
gl verify "$unpacked_root"
expect_rc 0 "verify of the extracted archive"
(cd "$unpacked_root" && sha256sum -c --quiet manifest-sha256.txt) >/dev/null 2>&1 || fail "sha256sum -c fails in the extracted archive"

note "a damaged or hostile .tar.gz fails"
head -c 200 "$work/one.tar.gz" >"$work/truncated.tar.gz"
gl verify "$work/truncated.tar.gz"
expect_rc 1 "verify of a truncated archive"
"$python" - "$work/hostile.tar.gz" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    data = b"escaped\n"
    info = tarfile.TarInfo("good/../../escaped.txt")
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
PY
gl verify "$work/hostile.tar.gz"
expect_rc 1 "verify of an archive with a ../ entry"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "unsafe" "$work/both" "verify calls the ../ archive entry unsafe"
expect_absent "$work/escaped.txt" "verify extracted a ../ entry outside its folder"

note "pack refuses a bundle that does not verify"
copy=$(fresh_copy tampered-pack)
echo extra >"$copy/extra.txt"
gl pack "$copy" -o "$work/tampered.tar.gz"
[[ $rc != 0 ]] || fail "pack of a tampered bundle exited 0"
expect_absent "$work/tampered.tar.gz" "pack wrote an archive of a tampered bundle"

echo "PASS: bundle_verify_pack"

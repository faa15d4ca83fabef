#!/usr/bin/env bash
# A suite that leaves links and special files in {outputs} (and beside them in the bundle) never costs
# the run its manifest or the other suites their evidence: links that stay inside the bundle are kept
# as links and recorded in manifest.json; links that leave it (absolute, climbing out, loops), fifos,
# sockets, devices and oddly named files become notes or are renamed; the run is green, the bundle
# verifies as a folder and packed, and merge keeps the links as links.
# Usage: run_special_outputs.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: special
artifacts: out
defaults: { timeout: 30s }
suites:
  good:
    run: "echo evidence > {outputs}/evidence.txt; mkdir -p {outputs}/deep; echo more > {outputs}/deep/more.txt"
  odd:
    run: >-
      cd {outputs} &&
      echo report > report.txt && mkdir -p sub && echo inner > sub/inner.txt &&
      ln -s report.txt latest &&
      ln -s sub sub-link &&
      ln -s ../../good/outputs/evidence.txt good-evidence &&
      ln -s not-written-yet.txt dangling &&
      ln -s /etc/passwd absolute &&
      ln -s ../../../../.. escaping &&
      ln -s loop loop &&
      mkfifo pipe &&
      /usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("server.sock")' &&
      (mknod null c 1 3 2>/dev/null || true) &&
      echo secret > unreadable.txt && chmod 000 unreadable.txt &&
      printf x > "$(printf 'two\nlines.txt')" &&
      mkfifo ../../../stray-fifo
tiers:
  main: [good, odd]
YML

gl run --tier main --no-smoke --run-id s1 --jobs 2
expect_rc 0 "a run whose suite left links and special files"
bundle=$project/out/special/s1
summary=$bundle/summary.json
expect_file "$bundle/manifest.json" "the manifest"
expect_file "$bundle/manifest-sha256.txt" "the BagIt-style manifest"
expect_json "$summary" "d['green']" "true" "summary.json"
for suite in good odd; do
    [[ $(verdict_of "$summary" "$suite") == pass ]] || fail "suite $suite is not pass"
done

note "the other suite's evidence is all there"
expect_grep '^evidence$' "$bundle/suites/good/outputs/evidence.txt" "good's evidence.txt"
expect_grep '^more$' "$bundle/suites/good/outputs/deep/more.txt" "good's deep/more.txt"
expect_grep 'suites/good/outputs/evidence.txt$' "$bundle/manifest-sha256.txt" "good's evidence in manifest-sha256.txt"

note "links inside stay links, recorded as links"
outputs=$bundle/suites/odd/outputs
for link in latest sub-link good-evidence dangling; do
    [[ -L $outputs/$link ]] || fail "$link is no longer a link"
done
expect_json "$bundle/manifest.json" \
    "sorted((l['path'].split('/')[-1], l['type'], l['target']) for l in d['links'])" \
    '[["dangling", "symlink", "not-written-yet.txt"], ["good-evidence", "symlink", "../../good/outputs/evidence.txt"], ["latest", "symlink", "report.txt"], ["sub-link", "symlink", "sub"]]' \
    "manifest.json links"
expect_no_grep 'latest|sub-link|dangling' "$bundle/manifest-sha256.txt" "manifest-sha256.txt lists regular files only"
(cd "$bundle" && sha256sum --quiet -c manifest-sha256.txt) >"$work/sha.txt" 2>&1 ||
    fail "sha256sum -c manifest-sha256.txt fails: $(cat "$work/sha.txt")"

note "what cannot be kept became a note"
for name in absolute escaping loop pipe server.sock; do
    [[ -f $outputs/$name && ! -L $outputs/$name ]] || fail "$name is not a note file"
done
expect_grep 'a link to the absolute path /etc/passwd' "$outputs/absolute" "the note for the absolute link"
expect_grep 'leads out of the bundle' "$outputs/escaping" "the note for the escaping link"
expect_grep 'never ends' "$outputs/loop" "the note for the loop"
expect_grep 'a fifo stood here' "$outputs/pipe" "the note for the fifo"
expect_grep 'a socket stood here' "$outputs/server.sock" "the note for the socket"
expect_grep 'a fifo stood here' "$bundle/stray-fifo" "the note for the fifo left beside the suite's folder"
[[ ! -e $outputs/null || -f $outputs/null ]] || fail "the device was kept"
expect_file "$outputs/two%0Alines.txt" "the file with a newline in its name, renamed"
expect_grep '^secret$' "$outputs/unreadable.txt" "the unreadable file, kept"

note "verify accepts the folder, and the packed archive"
gl verify "$bundle"
expect_rc 0 "verify of the bundle"
expect_grep 'and 4 links' "$last_out" "verify counts the links"
gl pack "$bundle" -o "$work/s1.tar.gz"
expect_rc 0 "pack"
tar -tvzf "$work/s1.tar.gz" >"$work/listing.txt" || fail "tar cannot list the packed bundle"
expect_grep '^l.* s1/suites/odd/outputs/latest -> report.txt$' "$work/listing.txt" "latest, packed as a link"
gl verify "$work/s1.tar.gz"
expect_rc 0 "verify of the packed bundle"

note "verify rejects a link that leaves, naming it"
cp -a "$bundle" "$work/tampered"
ln -sfn /etc "$work/tampered/suites/odd/outputs/sub-link"
gl verify "$work/tampered"
expect_rc 1 "verify of a bundle whose link now leaves"
expect_grep 'unsafe: suites/odd/outputs/sub-link: symlink to /etc leaves the bundle' "$last_out" \
    "verify names the link that leaves"

note "merge keeps links as links"
gl run --tier main --no-smoke --run-id m --shard 1/2 --artifact-dir "$work/shard-a"
expect_rc 0 "shard 1/2"
gl run --tier main --no-smoke --run-id m --shard 2/2 --artifact-dir "$work/shard-b"
expect_rc 0 "shard 2/2"
gl pack "$work/shard-b/special/m" -o "$work/shard-b.tar.gz"
expect_rc 0 "pack shard 2"
gl merge "$work/shard-a/special/m" "$work/shard-b.tar.gz" -o "$work/merged"
expect_rc 0 "merge of the two shards"
[[ -L $work/merged/suites/odd/outputs/latest ]] || fail "merge did not keep latest as a link"
[[ $(readlink "$work/merged/suites/odd/outputs/sub-link") == sub ]] || fail "merge changed sub-link's target"
gl verify "$work/merged"
expect_rc 0 "verify of the merged bundle"

note "a manifest that cannot be written makes the run red, and summary.json says so"
# A folder where manifest.json must go: the manifest cannot be written, whatever greenlight tries.
cat >blocked.yml <<'YML'
version: 1
project: special
artifacts: out
suites:
  blocker:
    run: "mkdir -p {outputs}/../../../manifest.json/held-open"
tiers:
  blocked: [blocker]
YML
gl run -c blocked.yml --tier blocked --no-smoke --run-id b1
expect_rc 3 "a run whose manifest cannot be written"
expect_grep 'manifest' "$last_err" "the error names the manifest"
expect_json "$project/out/special/b1/summary.json" "d['green']" "false" "summary.json of the blocked run"
expect_json "$project/out/special/b1/summary.json" "d['verdict']" "error" "summary.json of the blocked run"
expect_json "$project/out/special/b1/summary.json" "'could not be proven' in d['reason']" "true" \
    "summary.json's reason"
echo "PASS"

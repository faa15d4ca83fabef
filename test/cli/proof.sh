#!/usr/bin/env bash
# greenlight proof end to end: ids become fingerprints, URL paths are redacted, the classification is
# written and printed; smuggled markers and personal data are refused with the path but not the value,
# and nothing is written then; exit codes 0, 1 and 2.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

cd "$work"
cat > greenlight.yml <<'YAML'
version: 1
project: proof-demo
proof:
  ids: [/tickets/*/id, ticket_ref]
  redact_paths: ["/v1/tickets/{id}/add-tags"]
  strong:
    - {name: every event ok, path: /events/*/status, equals: ok}
  weak:
    - {name: some events, path: /events, at_least: 1}
YAML
cat > evidence.json <<'JSON'
{
  "tickets": [{"id": 48213}, {"id": "TCK-7"}],
  "events": [
    {"status": "ok", "call": "POST https://api.example.test/v1/tickets/48213/add-tags?dry=1"},
    {"status": "ok", "note": "ticket 48213 tagged", "ref": {"ticket_ref": "TCK-7"}}
  ]
}
JSON
export GREENLIGHT_PROOF_KEY=cli-test-key

note "a clean run writes the proof, prints PASS_STRONG and exits 0"
gl proof --in evidence.json --out proof.json
expect_rc 0 "clean evidence"
expect_file proof.json
expect_grep '^proof: PASS_STRONG' "$last_out" "printed classification"
expect_json proof.json 'd["classification"]["verdict"]' PASS_STRONG
expect_json proof.json 'd["classification"]["fingerprint"]' '{"algorithm": "hmac-sha256", "length": 12}'
expect_json proof.json 'd["events"][0]["call"]' 'POST https://api.example.test/v1/tickets/<redacted>/add-tags?dry=1'
fingerprint=$(json proof.json 'd["tickets"][0]["id"]')
want=$("$python" -c 'import hmac, hashlib; print(hmac.new(b"cli-test-key", b"48213", hashlib.sha256).hexdigest()[:12])')
[[ $fingerprint == "$want" ]] || fail "fingerprint of 48213 is $fingerprint, expected $want"
expect_json proof.json 'd["events"][1]["note"]' "ticket $want tagged"
expect_no_grep '48213|TCK-7' proof.json "proof.json"

note "--json prints the outcome as JSON"
gl proof --in evidence.json --out proof.json --json
expect_rc 0 "--json"
expect_json "$last_out" 'd["verdict"]' PASS_STRONG
expect_json "$last_out" 'd["fingerprinted"]' 3

note "PASS_WEAK exits 0, but 1 with --require strong"
sed 's/"status": "ok", "note"/"status": "retried", "note"/' evidence.json > weak.json
gl proof --in weak.json --out weak-proof.json
expect_rc 0 "PASS_WEAK"
expect_grep '^proof: PASS_WEAK' "$last_out" "weak classification"
gl proof --in weak.json --out weak-proof.json --require strong
expect_rc 1 "PASS_WEAK with --require strong"

note "FAIL is written but exits 1"
echo '{"tickets": [], "events": []}' > empty.json
gl proof --in empty.json --out fail-proof.json
expect_rc 1 "FAIL"
expect_json fail-proof.json 'd["classification"]["verdict"]' FAIL

note "a smuggled address is refused: path named, value not, nothing written, old file intact"
echo 'previous proof' > kept.json
for smuggled in 'jane%2540example.org' 'jane&#x40;example' 'jane&commat;example' 'jane＠example' 'see ma&#105;l.example'; do
    "$python" - "$smuggled" <<'PY' > smuggled.json
import json, sys
print(json.dumps({"events": [{"status": "ok"}, {"status": "ok"}, {"status": "ok"},
                             {"status": "ok", "note": sys.argv[1]}]}, ensure_ascii=False))
PY
    gl proof --in smuggled.json --out kept.json
    expect_rc 1 "refusal of $smuggled"
    expect_grep '/events/3/note: forbidden marker' "$last_err" "path and kind"
    grep -qF -- "$smuggled" "$last_err" "$last_out" && fail "the value '$smuggled' leaked into the output"
    [[ $(cat kept.json) == 'previous proof' ]] || fail "kept.json changed after a refusal"
    gl proof --in smuggled.json --out absent.json
    expect_absent absent.json "proof written despite a refusal"
done
ls -a "$work" | grep -q '\.tmp' && fail "a temporary file was left behind"

note "personal data is refused without the @ marker too"
echo '{"events": [{"status": "ok", "contact": "+44 20 7946 0958"}]}' > phone.json
gl proof --in phone.json --out phone-proof.json
expect_rc 1 "phone number"
expect_grep '/events/0/contact: a phone number' "$last_err" "phone refusal"
expect_no_grep '7946' "$last_err" "phone value"
expect_absent phone-proof.json

note "an id hidden by percent-encoding in free text is refused"
echo '{"tickets": [{"id": 48213}], "events": [{"status": "ok", "note": "t 48%32%313"}]}' > hidden-id.json
gl proof --in hidden-id.json --out hidden-proof.json
expect_rc 1 "hidden id"
expect_grep '/events/0/note: a raw id value' "$last_err" "hidden id refusal"
expect_absent hidden-proof.json

note "bad JSON exits 2 with file:line:column"
printf '{\n  "events": [\n    {"status": "ok",}\n  ]\n}\n' > broken.json
gl proof --in broken.json --out broken-proof.json
expect_rc 2 "bad JSON"
expect_grep 'broken\.json:3:[0-9]+: not valid JSON' "$last_err" "position"
expect_absent broken-proof.json

note "a missing key exits 2 and says why; sha256 must be chosen explicitly"
GREENLIGHT_PROOF_KEY='' gl proof --in evidence.json --out nokey.json
expect_rc 2 "missing key"
expect_grep 'GREENLIGHT_PROOF_KEY' "$last_err" "names the variable"
expect_grep 'enumerable' "$last_err" "says why"
expect_absent nokey.json

note "without a config file: defaults (nothing fingerprinted), the scan still runs"
mkdir -p bare && cd bare
echo '{"note": "plain text"}' > evidence.json
gl proof --in evidence.json --out proof.json
expect_rc 1 "no criteria is FAIL"
expect_json proof.json 'd["note"]' 'plain text'
echo '{"note": "a&#64;b"}' > leak.json
gl proof --in leak.json --out leak-proof.json
expect_rc 1 "scan without config"
expect_grep '/note: forbidden marker' "$last_err" "scan without config"
expect_absent leak-proof.json
gl proof --in evidence.json --out proof.json --config missing.yml
expect_rc 2 "an explicit config that does not exist"

note "ok"

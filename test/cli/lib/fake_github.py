"""A scripted GitHub REST API on 127.0.0.1 for the CLI tests of `greenlight gate --wait`.

    fake_github.py SCRIPT.json RECORD.jsonl PORT_FILE

SCRIPT is a JSON object:
    repository   "owner/name"
    pull         {"number": 7, "base": "main"}            the pull request GET /repos/{repo}/pulls/{number} shows
    heads        ["sha", ...]                             the head's sha in round 1, 2, ...; the last one stays
    protection   {"contexts": [...], "checks": [...]}     .../branches/{base}/protection/required_status_checks;
                 or {"status": 403}                       a refusal instead; absent: 404 (not protected)
    rules        [...]                                    .../rules/branches/{base}; absent: []
    rounds       [{"check_runs": [...], "statuses": [...]}, ...]   what round 1, 2, ... shows; the last one stays.
                 A check run without head_sha gets the round's head.
    refusals     [{"suffix": "/check-runs", "round": 2, "status": 429, "headers": {"Retry-After": "1"},
                   "reset_in": 1}, ...]   each answers one request whose path ends in suffix, in that round
                 (X-RateLimit-Reset is set to now + reset_in when reset_in is given)

A round is counted by its first page of check runs; a head read belongs to the round about to run. Every request
is appended to RECORD as a JSON line (method, path, authorization). The server stops by itself after two minutes.
"""
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

script_file, record_file, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
with open(script_file) as source:
    script = json.load(source)
repository = script.get("repository", "octo/shop")
lock = threading.Lock()
state = {"rounds": 0}


def at_round(items, round_number):
    return items[min(round_number, len(items)) - 1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.respond()

    def respond(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        page = int(query.get("page", ["1"])[0])
        per_page = int(query.get("per_page", ["30"])[0])
        with open(record_file, "a") as out:
            out.write(json.dumps({"method": self.command, "path": self.path,
                                  "authorization": self.headers.get("Authorization")}) + "\n")
        prefix = "/repos/" + repository + "/"
        if not url.path.startswith(prefix):
            return self.answer(404, {"message": "Not Found"})
        path = url.path[len(prefix):]
        is_round_start = path.endswith("/check-runs") and page == 1
        is_head_read = path.startswith("pulls/") or path.startswith("git/ref/")
        round_now = state["rounds"] + 1 if is_round_start or is_head_read else max(state["rounds"], 1)
        for refusal in script.get("refusals", []):
            if refusal.get("used") or not path.endswith(refusal["suffix"]):
                continue
            if refusal.get("round", 1) != round_now:
                continue
            refusal["used"] = True
            headers = dict(refusal.get("headers", {}))
            if "reset_in" in refusal:
                headers["X-RateLimit-Reset"] = str(int(time.time()) + refusal["reset_in"])
            return self.answer(refusal["status"], {"message": "API rate limit exceeded"}, headers)
        pull = script.get("pull", {})
        base = pull.get("base", "main")
        head = at_round(script["heads"], round_now)
        if path == "pulls/%d" % pull.get("number", 0):
            return self.answer(200, {"number": pull["number"], "head": {"sha": head}, "base": {"ref": base}})
        if path == "git/ref/heads/" + base:
            return self.answer(200, {"ref": "refs/heads/" + base, "object": {"sha": head}})
        if path == "branches/%s/protection/required_status_checks" % base:
            protection = script.get("protection")
            if protection is None:
                return self.answer(404, {"message": "Branch not protected"})
            if "status" in protection:
                return self.answer(protection["status"], {"message": "Resource not accessible by integration"})
            return self.answer(200, protection)
        if path == "rules/branches/" + base:
            return self.answer(200, script.get("rules", []))
        if path.startswith("commits/") and (path.endswith("/check-runs") or path.endswith("/status")):
            if is_round_start:
                state["rounds"] += 1
            shown = at_round(script["rounds"], max(state["rounds"], 1))
            key = "check_runs" if path.endswith("/check-runs") else "statuses"
            items = [dict(item) for item in shown.get(key, [])]
            for item in items:
                if key == "check_runs":
                    item.setdefault("head_sha", head)
            body = {"total_count": len(items), key: items[(page - 1) * per_page:page * per_page]}
            if key == "statuses":
                body["sha"] = path.split("/")[1]
            return self.answer(200, body)
        return self.answer(404, {"message": "Not Found"})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(120, server.shutdown).start()  # never outlives the test
server.serve_forever()

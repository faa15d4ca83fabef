"""A loopback stand-in for GitHub's release downloads, for the action's install tests.

    release_server.py ROOT LOG PORT_FILE CONTROL_DIR LIFETIME_SECONDS

Serves ROOT laid out as GitHub lays out its release URLs (<owner>/<repo>/releases/download/<tag>/<file>).
As GitHub does, a release URL answers with a redirect to the file's storage address (here /storage/<same
path>), which then serves the bytes. Binds 127.0.0.1 on a free port and writes the port to PORT_FILE.
Every request is appended to LOG as `METHOD PATH STATUS`. When CONTROL_DIR/fail-once holds a path, the
first request for it is answered 503 (a transient error that a client should retry) and the file is
removed. Stops by itself after LIFETIME_SECONDS.
"""
import http.server
import os
import pathlib
import sys
import threading
import urllib.parse

root, log_path, port_file, control_dir, lifetime = sys.argv[1:6]
root = pathlib.Path(root).resolve()
log_lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass  # every request is logged once, by log_request below

    def log_request(self, code="-", size="-"):
        with log_lock, open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{self.command} {self.path} {code}\n")

    def fail_once(self, path):
        control = pathlib.Path(control_dir) / "fail-once"
        try:
            wanted = control.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return False
        if wanted != path:
            return False
        control.unlink()
        return True

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        if self.fail_once(path):
            self.send_error(503, "try again")
            return
        if not path.startswith("/storage/") and "/releases/download/" in path:
            self.send_response(302)
            self.send_header("Location", "/storage" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if not path.startswith("/storage/"):
            self.send_error(404)
            return
        file = (root / path[len("/storage/"):]).resolve()
        if root not in file.parents or not file.is_file():
            self.send_error(404)
            return
        data = file.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
timer = threading.Timer(float(lifetime), server.shutdown)
timer.daemon = True
timer.start()
temporary = port_file + ".tmp"
with open(temporary, "w", encoding="utf-8") as out:
    out.write(str(server.server_address[1]))
os.replace(temporary, port_file)
server.serve_forever()

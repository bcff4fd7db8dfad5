"""A fake GitHub releases server on loopback, for tests/install/run.sh.

    python3 server.py ROOT LATEST_TAG PORT_FILE

Serves ROOT/download/TAG/FILE as GitHub does under /releases/, with
`latest` redirecting (302) to `tag/LATEST_TAG` and `latest/download/FILE`
to `download/LATEST_TAG/FILE`. Binds 127.0.0.1 on a free port, writes the
port to PORT_FILE, and stops by itself after five minutes.
"""

import http.server
import os
import sys
import threading

root, latest, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
PREFIX = "/releases/"


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if not path.startswith(PREFIX):
            return self.send(404, b"not found")
        rest = path[len(PREFIX):]
        if rest == "latest":
            return self.send(302, location=f"{PREFIX}tag/{latest}")
        if rest.startswith("latest/download/"):
            name = rest[len("latest/download/"):]
            return self.send(302, location=f"{PREFIX}download/{latest}/{name}")
        if rest.startswith("tag/"):
            return self.send(200, b"<html>release page</html>")
        parts = rest.split("/")
        if len(parts) == 3 and parts[0] == "download" and ".." not in parts:
            file = os.path.join(root, *parts)
            if os.path.isfile(file):
                with open(file, "rb") as f:
                    return self.send(200, f.read())
        return self.send(404, b"not found")

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
threading.Timer(300, server.shutdown).start()
server.serve_forever()

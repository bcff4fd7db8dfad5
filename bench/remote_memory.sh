#!/usr/bin/env bash
# Peak memory of a build whose remote targets answer with huge bodies (issue
# 19). A Python server on 127.0.0.1 serves 200 MB per request: `/chunked/i`
# chunked (no Content-Length, as a gzip bomb or a streaming server would),
# `/length/i` with `Content-Length`. Two sites of 8 remote targets each
# (`[remote] max_size_mb` left at its default, 64) are built with
# `/usr/bin/time -v`; prints the peak resident memory and wall time of each.
# Before bodies were streamed to the cache, each chunked body was read into
# memory up to the limit.
#   bash bench/remote_memory.sh
#   PIDSITE=path/to/pidsite bash bench/remote_memory.sh   (another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_DIR:-$ROOT/target/bench}/remote-memory
if [ -z "${PIDSITE:-}" ]; then
  cargo build --release --locked --quiet
  PIDSITE=$ROOT/target/release/pidsite
fi
rm -rf "$WORK"
mkdir -p "$WORK"

cat >"$WORK/server.py" <<'PY'
import http.server, socketserver, sys

SIZE = 200 * 1024 * 1024
CHUNK = b"a" * (64 * 1024)

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        chunked = self.path.startswith("/chunked/")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(SIZE))
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            while sent < SIZE:
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK))
                else:
                    self.wfile.write(CHUNK)
                sent += len(CHUNK)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY

python3 "$WORK/server.py" >"$WORK/port" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
PORT=$(cat "$WORK/port")

echo "bodies peak_MB wall_s"
for kind in chunked length; do
  site=$WORK/$kind
  mkdir -p "$site/content"
  printf 'base_url = "https://bench.example.org/"\ntitle = "Remote memory"\n\n[remote]\nretries = 0\nconcurrency = 8\n' >"$site/site.toml"
  {
    echo "pid,target"
    for i in 0 1 2 3 4 5 6 7; do echo "ark:/99999/$kind$i,http://127.0.0.1:$PORT/$kind/$i"; done
  } >"$site/content/registry.csv"
  /usr/bin/time -v "$PIDSITE" build --site "$site" --out "$site/public" >"$site/stdout" 2>"$site/time" || true
  grep -q "larger than the limit" "$site/time" || { echo "expected 8 refusals:" >&2; cat "$site/time" >&2; exit 1; }
  peak=$(awk '/Maximum resident set size/ { printf "%.0f", $NF / 1024 }' "$site/time")
  wall=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.2f", s }' "$site/time")
  echo "8x200MB-$kind $peak $wall"
done
rm -rf "$WORK"

#!/usr/bin/env bash
# Benchmark of the live doctor (not a test). Everything runs on loopback; the real API is
# never contacted. Two HTTPS servers, each with a throwaway CA and a leaf for localhost:
#   * `sl-doctor mock --https` (axum, HTTP/2);
#   * an independent server that is not ours: Python's http.server + ssl (HTTP/1.1), its
#     CA and leaf made here with the openssl CLI. It answers the DAM probe
#     (/dam/image) and the Catalog probe (/catalog/rest/Catalog/$metadata) with 200 JSON
#     when X-API-KEY matches, 401 otherwise.
# For each server, with no delay and with a 300 ms delay before every response, it runs
# `curl` making the single DAM probe request (--cacert CA) and the full live doctor
# (`sl-doctor --base-url … --ca-cert CA`: DNS, proxy and TLS checks plus both probes),
# alternately, and prints median wall time, the ratio to curl, mean user+sys CPU and peak
# RSS. Against the fast servers it also runs the doctor with a connection per request
# (--fresh-connections) and with less to do (one probe; no tls-connection check) to show
# what the shared connection saves.
#
# Usage: bench/live.sh [RUNS]   (default 30)
# Env:   CARGO        cargo command used to build (default: cargo)
#        SL_DOCTOR    benchmark this binary instead of building the release one
#        SL_DOCTOR_BEFORE  also benchmark this (older) binary in the same run
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
command -v curl >/dev/null || { echo "curl is needed"; exit 2; }
command -v openssl >/dev/null || { echo "openssl (CLI) is needed"; exit 2; }
if [ -z "${SL_DOCTOR:-}" ]; then
  ${CARGO:-cargo} build --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/sl-doctor
else
  bin=$SL_DOCTOR
fi
before=${SL_DOCTOR_BEFORE:-}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
key="Bench$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=' | head -c 38)="

start_mock() { # $1 = delay in ms, $2 = name
  "$bin" mock --https --no-rate-limit --delay-ms "$1" --key "both:$key" --ca-out "$tmp/$2-ca.pem" \
    --exit-after 900 >"$tmp/$2.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q '^keys' "$tmp/$2.out" 2>/dev/null && break; sleep 0.1; done
  grep '^base URL' "$tmp/$2.out" | awk '{print $3}'
}

# The independent server's CA and leaf (localhost, 127.0.0.1).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=bench CA (throwaway)" -keyout "$tmp/py-ca.key" -out "$tmp/py-ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$tmp/py-leaf.key" -out "$tmp/py-leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$tmp/py-leaf.ext"
openssl x509 -req -in "$tmp/py-leaf.csr" -CA "$tmp/py-ca.pem" -CAkey "$tmp/py-ca.key" \
  -CAcreateserial -days 2 -extfile "$tmp/py-leaf.ext" -out "$tmp/py-leaf.pem" 2>/dev/null

start_py() { # $1 = delay in ms, $2 = name
  python3 - "$tmp/py-leaf.pem" "$tmp/py-leaf.key" "$key" "$1" >"$tmp/$2.out" 2>"$tmp/$2.err" <<'PY' &
import http.server, json, socket, ssl, sys, time
cert, keyfile, key, delay = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) / 1000
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        # TCP_NODELAY, as production servers (and the mock) set it: without it the
        # separate header and body writes wait ~40 ms for the client's delayed ACK.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
    def do_GET(self):
        time.sleep(delay)
        path = self.path.split("?")[0]
        known = path in ("/dam/image", "/catalog/rest/Catalog/$metadata")
        ok = known and self.headers.get("X-API-KEY") == key
        code = 200 if ok else (401 if known else 404)
        body = json.dumps({"value": []} if ok else {"error": "Unauthorized" if known else "Not found"}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, keyfile)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(f"https://localhost:{srv.server_address[1]}", flush=True)
srv.serve_forever()
PY
  pids+=($!)
  for _ in $(seq 50); do [ -s "$tmp/$2.out" ] && break; sleep 0.1; done
  cat "$tmp/$2.out"
}

mock_fast=$(start_mock 0 mock-fast)
mock_slow=$(start_mock 300 mock-slow)
py_fast=$(start_py 0 py-fast)
py_slow=$(start_py 300 py-slow)

python3 - "$bin" "$before" "$runs" "$tmp" "$key" "$mock_fast" "$mock_slow" "$py_fast" "$py_slow" <<'PY'
import os, statistics, subprocess, sys, time
bin, before, runs, tmp, key = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
servers = [
    ("sl-doctor mock --https", sys.argv[6], sys.argv[7], f"{tmp}/mock-fast-ca.pem", f"{tmp}/mock-slow-ca.pem"),
    ("python http.server + ssl", sys.argv[8], sys.argv[9], f"{tmp}/py-ca.pem", f"{tmp}/py-ca.pem"),
]
env = {"PATH": os.environ["PATH"], "HOME": tmp, "SALESLAYER_API_KEY": key}

def once(cmd):
    """Wall time (ms) and user+sys CPU (ms) of one run."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"command failed ({code}): {' '.join(cmd)}")
    return wall, (ru.ru_utime + ru.ru_stime) * 1000

def peak_rss(cmd):
    """Peak RSS (MiB) over 3 runs. Through /usr/bin/time: a child forked from Python
    inherits Python's RSS high-water mark across exec, so wait4 here would report ours."""
    kb = 0
    for _ in range(3):
        p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=tmp, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        kb = max(kb, int(p.stderr.strip().splitlines()[-1]))
    return kb / 1024

def bench(cmds):
    """Runs the commands alternately, `runs` times each; median wall, mean CPU, peak RSS."""
    res = {n: [] for n in cmds}
    for _ in range(runs):
        for n, c in cmds.items():
            res[n].append(once(c))
    return {n: (statistics.median(r[0] for r in v), statistics.mean(r[1] for r in v), peak_rss(cmds[n]))
            for n, v in res.items()}

def curl(base, ca):
    return ["curl", "-sS", "-f", "-o", "/dev/null", "--cacert", ca, base + "/dam/image?$top=1",
            "-H", "X-API-KEY: " + key]

def doctor(b, base, ca, *extra):
    return [b, "--base-url", base, "--ca-cert", ca, "--no-proxy", *extra]

print(f"{runs} runs each, alternating; wall = median, cpu = mean user+sys, rss = peak")
for label, fast, slow, ca_fast, ca_slow in servers:
    for name, base, ca in (("no delay", fast, ca_fast), ("300 ms delay per response", slow, ca_slow)):
        cmds = {"curl, the single DAM request": curl(base, ca),
                "sl-doctor, full live run": doctor(bin, base, ca)}
        if before:
            cmds["sl-doctor before, full live run"] = doctor(before, base, ca)
        if name == "no delay":
            cmds["sl-doctor --fresh-connections (3 TLS connections)"] = doctor(
                bin, base, ca, "--fresh-connections")
            cmds["sl-doctor --api dam"] = doctor(bin, base, ca, "--api", "dam")
            cmds["sl-doctor --api dam --ignore tls-connection"] = doctor(
                bin, base, ca, "--api", "dam", "--ignore", "tls-connection")
        r = bench(cmds)
        c = r["curl, the single DAM request"][0]
        print(f"{label}, {name}:")
        for n, (wall, cpu, rss) in r.items():
            ratio = "" if n.startswith("curl") else f"  {wall / c:5.2f}x curl"
            print(f"  {n:50s} {wall:7.1f} ms  cpu {cpu:6.1f} ms  rss {rss:5.1f} MiB{ratio}")
PY

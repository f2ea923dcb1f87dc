#!/usr/bin/env bash
# Benchmark of `sl-doctor scan` next to ripgrep (not a test).
#
# Generates a realistic tree under /tmp (never committed): tens of thousands of source,
# config and log files, a few large logs, binary files, a git-ignored node_modules, and a
# handful of files holding the (canary) key in each encoding. Then, with a warm page
# cache, runs `rg -F -c --hidden KEY` and `sl-doctor scan` (all encodings on) on the
# same tree, alternately, and prints the median wall times, their ratio and the peak
# memory (maximum RSS from /usr/bin/time -v) of each.
#
# Usage: bench/scan.sh [SIZE_MB] [RUNS] [DIR]   (defaults: 1024, 7, /tmp/sl-doctor-scan-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
runs=${2:-7}
dir=${3:-/tmp/sl-doctor-scan-bench}
key='SLDOCTORcanary7Qx9+Zk/4mW2='   # the test canary, never a real key

if ! command -v rg >/dev/null; then
  apt-get install -y ripgrep >/dev/null
fi
if [ ! -x /usr/bin/time ]; then
  apt-get install -y time >/dev/null
fi
cargo build --release --quiet
bin=$PWD/target/release/sl-doctor

if [ ! -f "$dir/.bench-v2-$size_mb" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 - "$dir" "$size_mb" "$key" <<'PY'
import base64, os, random, sys, urllib.parse
root, size_mb, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(42)
words = ("const let var function return import export from class def self if else for while "
         "async await fetch response request json data items product catalog image asset "
         "config settings token value name id url path error log info debug warn user "
         "customer order price stock sku category channel locale 0 1 2 42 true false null "
         "SalesLayer api key header client server sync batch page limit offset").split()
def text(n):
    out, size = [], 0
    while size < n:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
        line = "    " * rng.randint(0, 3) + line + ";\n"
        out.append(line); size += len(line)
    return "".join(out)[:n].encode()
pool = text(8 << 20)  # 8 MiB of code-like text, sliced into files
def chunk(n):
    o = rng.randrange(0, len(pool) - n)
    return pool[o:o + n]
budget = size_mb << 20
written = 0
def put(rel, data):
    global written
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    written += len(data)
# A git repository, so .gitignore applies to both tools.
os.system(f"git -C {root} init -q")
put(".gitignore", b"node_modules/\n*.tmp\n")
# The key, once in each encoding, in typical leak places.
b64 = base64.b64encode((key + "\n").encode())
leaks = {
    "dist/assets/index-4f2a9c.js": b'var a=1;const k="' + key.encode() + b'";fetch(u,{headers:{"X-API-KEY":k}})\n',
    "logs/sync.log": b"GET /dam/image?key=" + urllib.parse.quote(key, safe="").encode() + b" 401\n",
    "notebooks/explore.ipynb": b'{"cells":[{"source":["API_KEY = \\"' + key.replace("/", "\\/").encode() + b'\\""]}]}\n',
    "deploy/docker-compose.prod.yml": b"services:\n  app:\n    environment:\n      SL_SECRET_B64: " + b64 + b"\n",
    ".github/workflows/sync.yml": b"env:\n  AUTH: Basic " + base64.urlsafe_b64encode(("u:" + key).encode()).rstrip(b"=") + b"\n",
}
for rel, data in leaks.items():
    put(rel, chunk(20000) + data + chunk(20000))
# Large logs (some of the volume in few files).
for i in range(6):
    put(f"logs/big/app-{i}.log", chunk(4 << 20) * 8)
# Binary files (NUL bytes): searched by neither tool by default.
for i in range(150):
    put(f"assets/img/blob-{i}.bin", b"\x89PNG\r\n\x1a\n\x00\x00" + os.urandom(rng.randint(64, 512) << 10))
# Git-ignored dependencies: skipped by both.
for i in range(2000):
    put(f"node_modules/pkg{i % 50}/lib/m{i}.js", chunk(rng.randint(2, 24) << 10))
# The bulk: source, docs and config files of mixed sizes in nested directories.
exts = ["js", "ts", "py", "php", "json", "yml", "md", "html", "css", "txt", "rb", "go"]
i = 0
while written < budget:
    d = f"src/mod{i % 97}/sub{(i // 97) % 13}"
    n = rng.choice([1, 2, 2, 4, 4, 8, 8, 12, 16, 24, 32, 48, 64, 128]) << 10
    put(f"{d}/f{i}.{rng.choice(exts)}", chunk(min(n, budget - written + 1)))
    i += 1
print(f"generated {written / (1 << 20):.0f} MiB under {root}")
PY
  touch "$dir/.bench-v2-$size_mb"
fi
echo "tree: $dir ($(du -sh --exclude=.git "$dir" | cut -f1), $(find "$dir" -type f -not -path '*/.git/*' | wc -l) files)"

python3 - "$bin" "$runs" "$dir" "$key" <<'PY'
import os, re, statistics, subprocess, sys, tempfile, time
bin, runs, root, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
cwd = tempfile.mkdtemp()
env = {"PATH": os.environ["PATH"], "HOME": cwd, "SALESLAYER_API_KEY": key}
cmds = {
    "rg -F -c --hidden": ["rg", "-F", "-c", "--hidden", "--", key, root],
    "sl-doctor scan": [bin, "scan", "--no-dotenv", "--format", "json", root],
}
def once(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t, p
def rss_kb(cmd):
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
# Warm the page cache and check both find the key.
for name, cmd in cmds.items():
    _, p = once(cmd)
    out = p.stdout.decode()
    if name.startswith("rg"):
        print(f"{name}: {len(out.splitlines())} file(s) with the plain key, exit {p.returncode}")
    else:
        import json
        r = json.loads(out)
        encs = sorted({f['encoding'] for f in r['findings']})
        print(f"{name}: {len(r['findings'])} finding(s) in {len({f['path'] for f in r['findings']})} file(s), "
              f"encodings {encs}, {r['stats']['files']} files / {r['stats']['bytes'] >> 20} MiB searched, exit {p.returncode}")
times = {n: [] for n in cmds}
for _ in range(runs):
    for name, cmd in cmds.items():
        times[name].append(once(cmd)[0])
med = {n: statistics.median(t) for n, t in times.items()}
rss = {n: rss_kb(c) for n, c in cmds.items()}
print(f"runs: {runs} each, alternating, warm cache, {os.cpu_count()} cores")
for n in cmds:
    print(f"  {n:20s} median {med[n]*1000:8.1f} ms  (min {min(times[n])*1000:.1f}, max {max(times[n])*1000:.1f})  max RSS {rss[n]/1024:.1f} MiB")
print(f"ratio sl-doctor / rg: {med['sl-doctor scan'] / med['rg -F -c --hidden']:.2f}")
PY

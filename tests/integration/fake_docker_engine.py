# A loopback fake of the Docker engine API for the loader table tests (loaders.rs): it
# answers the ping and records the Env of containers/create, so the docker CLI's own
# --env-file parsing can be observed without an engine. Usage: SOCKET OUT_JSON
import json, os, socket, sys, socketserver, http.server
path, out = sys.argv[1], sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def send(self, code, body=b"", ctype="application/json"):
        self.send_response(code)
        self.send_header("Api-Version", "1.47"); self.send_header("Ostype", "linux")
        self.send_header("Content-Type", ctype); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def do_HEAD(self): self.send(200)
    def do_GET(self): self.send(200, b"OK", "text/plain")
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0); body = self.rfile.read(n)
        if "/containers/create" in self.path:
            with open(out, "w") as f: f.write(json.dumps(json.loads(body).get("Env")))
            self.send(201, b'{"Id":"0123456789ab","Warnings":[]}')
        else: self.send(404, b'{"message":"no"}')
class S(socketserver.ThreadingMixIn, socketserver.UnixStreamServer): daemon_threads = True
if os.path.exists(path): os.unlink(path)
S(path, H).serve_forever()

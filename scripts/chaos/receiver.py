#!/usr/bin/env python3
"""A Standard Webhooks receiver for the chaos script: verifies every signature, fails every third request with 500,
answers the rest 204 after a short delay (so that a kill lands mid-send), and appends each accepted webhook-id to a
file (and every request to another, so that the chaos script can kill a run mid-send). Prints its port on the first line of stdout. Loopback only."""
import base64, hashlib, hmac, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

secret = base64.b64decode(sys.argv[1].split("_", 1)[1])
accepted_path, rejected_path, seen_path = sys.argv[2], sys.argv[3], sys.argv[4]
lock = threading.Lock()
counter = [0]


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        wid, stamp = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "0")
        expected = base64.b64encode(hmac.new(secret, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
        signatures = [s.split(",", 1)[1] for s in self.headers.get("webhook-signature", "").split() if s.startswith("v1,")]
        fresh = abs(time.time() - int(stamp)) <= 300
        if not fresh or not any(hmac.compare_digest(expected, s) for s in signatures):
            with lock, open(rejected_path, "a") as f:
                f.write(wid + "\n")
            self.send_response(401); self.end_headers(); return
        with lock, open(seen_path, "a") as f:
            counter[0] += 1
            number = counter[0]
            f.write(wid + "\n")
        time.sleep(0.02)
        if number % 3 == 0:
            self.send_response(500); self.end_headers(); return
        with lock, open(accepted_path, "a") as f:
            f.write(wid + "\n")
        self.send_response(204); self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

#!/usr/bin/env python3
"""A stand-in WhatsApp group gateway on 127.0.0.1, for rehearsing Kelas without a phone.

It answers the requests Kelas's `waha:` and `evolution:` sinks make, as the real gateways document them:

  WAHA           POST /api/sendText, /api/sendFile           header X-Api-Key   -> 201 {"id": "true_<chat>_<ID>_<me>", ...}
  Evolution API  POST /message/sendText/{instance},          header apikey      -> 201 {"key": {"remoteJid", "fromMe", "id"}, ...}
                      /message/sendMedia/{instance}

Each accepted request is written as one JSON line to --log (and counted on standard error). It never reaches
WhatsApp. --disconnected answers as a gateway whose phone is not linked (WAHA 422 with the session's state,
Evolution 400 "Connection Closed"), so the retry path and the dashboard's banner can be rehearsed too.

  python3 scripts/standin-gateway.py --port 3000 --api-key standin
  KELAS_WAHA_API_KEY=standin kelas simulate --webhook --speed max --sink waha:http://127.0.0.1:3000

The first line on standard output is `listening on http://127.0.0.1:PORT` (--port 0 picks a free port).
Only the Python standard library is used.
"""
import argparse
import itertools
import json
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ME = "6281234567000@c.us"


def main():
    # A parent that blocks signals in its threads (a test runner) hands the mask down: take SIGTERM and SIGINT back.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    parser = argparse.ArgumentParser(description="A stand-in WAHA / Evolution API gateway on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=3000, help="port to listen on (0: a free one)")
    parser.add_argument("--api-key", default="standin", help="the key Kelas must send (KELAS_WAHA_API_KEY / KELAS_EVOLUTION_API_KEY)")
    parser.add_argument("--log", help="append each accepted request here as a JSON line")
    parser.add_argument("--disconnected", action="store_true", help="answer as a gateway whose phone is not linked")
    args = parser.parse_args()

    counter = itertools.count(1)
    lock = threading.Lock()
    log = open(args.log, "a", encoding="utf-8") if args.log else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *values):  # quiet: one line per request is written below
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path == "/healthz":
                return self.answer(200, {"status": "ok"})
            self.answer(404, {"message": "no such route: " + self.path})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self.answer(400, {"message": "the body is not JSON"})
            waha = self.path in ("/api/sendText", "/api/sendFile")
            evolution = re.fullmatch(r"/message/send(Text|Media)/([^/]+)", self.path)
            if not waha and not evolution:
                return self.answer(404, {"message": "no such route: " + self.path})
            key = self.headers.get("X-Api-Key") if waha else self.headers.get("apikey")
            if key != args.api_key:
                return self.answer(401, {"message": "Unauthorized"})
            if args.disconnected:
                if waha:
                    return self.answer(422, {"error": "Session status is not as expected", "session": body.get("session", "default"),
                                             "status": "SCAN_QR_CODE", "expected": ["WORKING"]})
                return self.answer(400, {"status": 400, "error": "Bad Request", "response": {"message": ["Connection Closed"]}})
            chat = body.get("chatId") if waha else body.get("number")
            if not chat:
                return self.answer(400, {"message": "chatId is required" if waha else "number is required"})
            number = next(counter)
            message_id = "STANDIN%06d" % number
            with lock:
                if log:
                    log.write(json.dumps({"path": self.path, "body": body, "id": message_id}, sort_keys=True) + "\n")
                    log.flush()
                print("standin-gateway: %s -> %s (%s)" % (self.path, chat, message_id), file=sys.stderr, flush=True)
            if waha:
                return self.answer(201, {"id": "true_%s_%s_%s" % (chat, message_id, ME), "timestamp": 0, "from": ME, "to": chat,
                                         "fromMe": True, "body": body.get("text") or body.get("caption") or ""})
            return self.answer(201, {"key": {"remoteJid": chat, "fromMe": True, "id": message_id}, "status": "PENDING",
                                     "messageType": "conversation" if evolution.group(1) == "Text" else "documentMessage"})

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if log:
            log.close()


if __name__ == "__main__":
    main()

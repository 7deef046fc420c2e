"""A local webhook receiver for trying events out: verifies each request with the `standardwebhooks` library (as a
consumer would) and prints the event.

    .venv/bin/python scripts/webhook_receiver.py --secret whsec_… [--port 9000] [--fail 2]

``--fail N`` answers 500 to the first N requests, to watch the service retry with back-off and then deliver.
The secret is the one the create response of ``POST /api/v1/webhooks`` showed (once).
"""

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--fail", type=int, default=0, help="answer 500 to this many requests first")
    args = parser.parse_args()
    verifier = Webhook(args.secret)
    failures_left = [args.fail]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
            try:
                event = verifier.verify(body, {k.lower(): v for k, v in self.headers.items()})
            except WebhookVerificationError as exc:
                print(f"REFUSED (bad signature: {exc})", flush=True)
                self.send_response(400)
                self.end_headers()
                return
            if failures_left[0] > 0:
                failures_left[0] -= 1
                print(f"answering 500 to {event['type']} {event['id']} (retry expected)", flush=True)
                self.send_response(500)
                self.end_headers()
                return
            print(f"verified {event['type']} {event['id']}", flush=True)
            print(json.dumps(event["data"], ensure_ascii=False)[:300], flush=True)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    print(f"listening on http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()

"""A two-way SMS bot: Flowroute posts each inbound text to this web server, which answers
through the API. Text HOURS or WHERE to it; anything else gets the menu.

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/two_way_sms_bot.py --port 8765

Production: serve the same handler behind HTTPS and set the callback to its public URL.
"""

from __future__ import annotations

import argparse
from http.server import BaseHTTPRequestHandler, HTTPServer

from flowroute import Flowroute, webhooks

ANSWERS = {
    "HOURS": "We're open 9am-6pm, Monday to Saturday.",
    "WHERE": "645 Elliott Ave W, Seattle. See you soon!",
}
MENU = "Reply HOURS for opening times or WHERE for our address."


def reply_to(text: str) -> str:
    return ANSWERS.get(text.strip().upper(), MENU)


def serve(client: Flowroute, port: int, max_messages: int | None) -> None:
    answered = 0

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            nonlocal answered
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event = webhooks.parse(body, dict(self.headers))
            except webhooks.WebhookError:
                self.send_response(400)  # not from Flowroute: say so, do not retry
                self.end_headers()
                return
            # Answer Flowroute first (it retries anything but a 200), then reply.
            self.send_response(200)
            self.end_headers()
            if isinstance(event, webhooks.InboundMessage):
                text = reply_to(event.body or "")
                # to/from swap: the customer's number is where the reply goes.
                client.messages.send(to=event.from_, from_=event.to, body=text)
                print(f"{event.from_}: {event.body!r} -> {text!r}", flush=True)
                answered += 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    with HTTPServer(("127.0.0.1", port), Webhook) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/sms"
        client.callbacks.set("sms", url)
        print(f"bot listening on {url}", flush=True)
        while max_messages is None or answered < max_messages:
            server.handle_request()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--max-messages", type=int, help="stop after answering this many")
    options = parser.parse_args()
    with Flowroute() as flowroute:
        serve(flowroute, options.port, options.max_messages)

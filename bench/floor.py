"""A reference for the throughput benchmark: what an uncached page costs with no app around it.

It answers every request with the service page's own HTML (captured from the app when the benchmark starts),
compressed anew with brotli at the app's level for pages made per request, and the app's own response headers
(security headers, request id, Vary, ETag): the work every uncached page must do whatever the app does, and nothing
else — no routing rules, hooks, session, rate limit, access log or rendering. Its share of hello is the most any
uncached page can reach on this stack; the app's pages are measured against the same hello in the same rounds.
"""

import json
import os

import brotli
from flask import Flask, Response

BR_LEVEL = 4  # flask-compress's default, which the app keeps for what it compresses per request
app = Flask(__name__)
with open(os.environ["MPP_BENCH_FLOOR"], encoding="utf-8") as captured:
    _page = json.load(captured)
BODY = _page["body"].encode("utf-8")
HEADERS = [(name, value) for name, value in _page["headers"]]


@app.get("/")
def floor():
    response = Response(brotli.compress(BODY, quality=BR_LEVEL), headers=HEADERS)
    response.headers["Content-Encoding"] = "br"
    return response

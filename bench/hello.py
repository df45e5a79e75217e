"""The baseline for the throughput benchmark: the cheapest possible Flask response under the same gunicorn."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"

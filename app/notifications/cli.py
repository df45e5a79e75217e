"""Flask CLI for notifications: `flask vapid generate` and `flask worker`.

Registered by create_app() like every capability's CLI; registering also binds this app's VAPID keys and job queue
(the commands and the web process share them), and — in the embedded default — the in-process worker.
"""

from __future__ import annotations

from flask import Flask

from . import vapid, worker


def register(app: Flask) -> None:
    vapid.init_app(app)
    worker.init_app(app)

"""Server-side sessions: Flask-Login's user id is the id of a revocable session row (the accounts work fills this)."""

from __future__ import annotations

from ..extensions import login_manager


@login_manager.user_loader
def load_user(session_id: str):
    return None

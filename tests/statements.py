"""Count the SQL statements a page runs, to prove a list costs the same whatever the number of rows behind it.

The pattern every list test follows: seed a few rows, count the page's statements; seed several times more (past a
page), count again — the same number, or a lazy load per row has crept in (each one is one more statement per row).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from app.extensions import db


@contextmanager
def captured(app):
    """The statements run on the app's engine inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class Counted:
    statements: list[str]
    html: str

    @property
    def count(self) -> int:
        return len(self.statements)


def statements_of(app, client, url: str, *, expected_status: int = 200) -> Counted:
    """GET ``url`` (asserting its status) and the statements it ran."""
    with captured(app) as seen:
        response = client.get(url)
    assert response.status_code == expected_status, f"GET {url}: {response.status_code}"
    return Counted(statements=list(seen), html=response.get_data(as_text=True))


def assert_same_statements(few: Counted, many: Counted, url: str) -> None:
    """Equal counts, or a message showing the statements the bigger list added (the lazy loads per row)."""
    if few.count != many.count:
        extra = [s for s in many.statements if s not in few.statements] or many.statements[few.count :]
        raise AssertionError(
            f"{url}: {few.count} statements with few rows, {many.count} with many; added:\n" + "\n".join(extra[:8])
        )

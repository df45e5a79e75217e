"""One page of a list: which page was asked for (``?halaman=``), its rows, and whether a next page exists.

Every list a person scrolls through (complaints, audit entries, catalog changes, failed deliveries, documents…) is
cut into pages so that a page costs the same whatever the number of rows behind it. A page reads ``size + 1`` rows:
the extra one only says that a next page exists, so a "Berikutnya" link is shown only when there is something to
see behind it (a count of the whole list would cost a scan of it on every view).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select

from .extensions import db

PAGE_ARG = "halaman"
MAX_PAGE = 99_999  # a page number past this is a typo or a probe, not someone paging through

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def empty_past_the_end(self) -> bool:
        """A page number past the last page (an old link, a row deleted since): say so and link back to page 1."""
        return not self.items and self.number > 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def page_number(args: Mapping[str, str], name: str = PAGE_ARG) -> int:
    """The page asked for; anything that is not a page number (empty, 0, -1, "abc", 10**20) is the first page."""
    raw = (args.get(name) or "").strip()
    if not raw.isdigit() or len(raw) > len(str(MAX_PAGE)):
        return 1
    return min(max(1, int(raw)), MAX_PAGE)


def cut(rows: Sequence[T], *, number: int, size: int) -> Page[T]:
    """A page from ``size + 1`` rows read at offset ``(number - 1) * size``."""
    return Page(items=list(rows[:size]), number=number, has_next=len(rows) > size)


def paginate(query: Select, *, number: int, size: int, scalars: bool = True) -> Page[Any]:
    """Run ``query`` (already ordered, with its eager loads) for one page: one statement for the rows."""
    window = query.offset((number - 1) * size).limit(size + 1)
    rows = db.session.scalars(window).all() if scalars else db.session.execute(window).all()
    return cut(rows, number=number, size=size)

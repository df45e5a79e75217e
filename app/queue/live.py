"""Live queue updates across processes: every web process knows, without reading the database, whether an MPP's
queue changed since it last answered a board poll (or the poll of a checked-in ticket's live part).

The hall board polls every few seconds (board.py says why polling, not SSE) and nearly every poll finds nothing
new. A poll carries the version of the board the screen shows (``versi``: a hash of its numbers and its "Updated"
minute); when this process remembers handing out that version and has heard of no change at that MPP since, it
answers 204 (htmx keeps the board as it is) without touching the database. Otherwise it renders from the
database, as before. Remembered answers never outlive the minute they were made in (the board says the minute).

Where changes come from: any commit through the ORM that touched a booking that is or was on a board (checked in
or called: ``ON_THE_BOARD``) names that booking's MPP; a change to the catalog (counter labels, agency names,
MPPs) or a bulk statement on bookings that does not say otherwise names every MPP. They are announced AFTER the
commit (never a change that was rolled back):

- to every board memory of this process at once (the embedded profile has one process: that is all there is);
- with Redis (``MPP_REDIS_URL``: the national profile) also on one pub/sub channel of the deployment
  (``mpp:<redis db>:queue``: pub/sub channels are shared by every database of a Redis server). Each web process
  runs one listener thread, started at its first poll, that applies what the others announce.

Correctness over speed: while the listener is not subscribed, or has heard nothing from Redis (it pings every
second) for ``DEAD_AFTER`` seconds, this process does not answer from memory at all — every poll reads the
database, so a Redis that is down, restarting or flushed never shows a stale board. After every (re)subscription
everything remembered is forgotten, since announcements may have been missed meanwhile. What remains: a call
committed on another process reaches this one within the pub/sub round trip (well under a millisecond on one
rack); a poll answered in between shows the call at its next poll. A write this module cannot see (raw SQL, a
connection of its own) or an announcement lost while this listener still hears Redis (the committing process
could not reach it) is shown at the latest when the minute ends, when every board is read again anyway.

Why not push (Server-Sent Events, long polls) now that changes are announced: gunicorn's gthread workers hold one
thread per open stream, and a hall's screens and phones would pin them for hours; a poll that is a 204 from memory
costs about a millisecond and no thread in between (figures: bench/queue_booking.py --board-only).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import secrets
import threading
import time
from dataclasses import dataclass
from itertools import chain
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from .models import Booking, BookingStatus

log = logging.getLogger(__name__)

EXTENSION = "mpp_queue_live"
ON_THE_BOARD = (BookingStatus.CHECKED_IN, BookingStatus.CALLED)
# Execution option for a bulk statement on bookings that only touches bookings no board or live ticket shows
# (held, confirmed, cancelled, expired, reminders sent): ``.execution_options(**live.OFF_THE_BOARD)``.
OFF_THE_BOARD_OPTION = "mpp_queue_off_the_board"
OFF_THE_BOARD = {OFF_THE_BOARD_OPTION: True}
EVERY_MPP = "*"
CATALOG_MODULE = "app.catalog.models"
PUBLISH_TIMEOUT = 0.2  # seconds: a Redis that does not answer at once is treated as down (logged)
PING_EVERY = 1.0  # seconds between two pings of the listener to Redis
DEAD_AFTER = 3.0  # seconds without any word from Redis: stop answering from memory
RECONNECT_AFTER = 1.0  # seconds between two connection attempts of the listener
LOG_EVERY = 60.0  # seconds between two "Redis unreachable" lines of one process
_PENDING = "mpp_queue_changed"  # Session.info: the MPP ids (or EVERY_MPP) this transaction changed


def end_of_minute(now: float) -> float:
    return (math.floor(now / 60) + 1) * 60


class Versions:
    """How many changes this process has heard of, per MPP, and an epoch that moves when anything may have been
    missed. A token taken before reading the database still equals the current one afterwards only if nothing
    changed at that MPP meanwhile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}
        self._epoch = 0

    def token(self, mpp_id: int) -> tuple[int, int]:
        with self._lock:
            return (self._epoch, self._counts.get(mpp_id, 0))

    def changed(self, mpp_ids) -> None:
        """``mpp_ids``: the MPPs whose queue changed, or EVERY_MPP."""
        with self._lock:
            if mpp_ids == EVERY_MPP:
                self._epoch += 1
                self._counts.clear()
            else:
                for mpp_id in mpp_ids:
                    self._counts[mpp_id] = self._counts.get(mpp_id, 0) + 1


@dataclass(frozen=True, slots=True)
class _Remembered:
    mpp_id: int
    token: tuple[int, int]
    value: Any
    expires: float


class RedisFeed:
    """The deployment's pub/sub channel: announces this process's changes and listens to everyone else's."""

    def __init__(self, url: str, versions: Versions) -> None:
        self.url = url
        self.versions = versions
        database = (urlsplit(url).path or "/0").strip("/") or "0"
        self.channel = f"mpp:{database}:queue"
        self.publisher = redis.Redis.from_url(
            url, socket_timeout=PUBLISH_TIMEOUT, socket_connect_timeout=PUBLISH_TIMEOUT
        )
        self._subscribed = False
        self._last_heard = 0.0
        self._listener_pid: int | None = None
        self._start_lock = threading.Lock()
        self._last_complaint = 0.0
        self._sender = ("", 0)  # (id, pid): a forked worker is another sender, not its parent
        self._stop = threading.Event()

    @property
    def sender(self) -> str:
        """Who announces: a listener skips its own announcements (they were applied when made)."""
        if self._sender[1] != os.getpid():
            self._sender = (secrets.token_hex(6), os.getpid())
        return self._sender[0]

    def _complain(self, what: str, error: Exception) -> None:
        now = time.monotonic()
        if now - self._last_complaint >= LOG_EVERY:
            self._last_complaint = now
            log.warning("live queue: cannot %s Redis pub/sub (%s): boards are read from the database", what, error)

    @property
    def healthy(self) -> bool:
        """Subscribed and heard from Redis lately: what it announces reaches this process."""
        return self._subscribed and time.monotonic() - self._last_heard < DEAD_AFTER

    def publish(self, mpp_ids) -> None:
        body = EVERY_MPP if mpp_ids == EVERY_MPP else ",".join(str(i) for i in sorted(mpp_ids))
        message = f"{self.sender} {body}"
        for attempt in (1, 2):  # one retry: redis-py reconnects a connection that went stale
            try:
                self.publisher.publish(self.channel, message)
                return
            except redis.RedisError as error:
                if attempt == 2:
                    self._complain("announce a change through", error)

    def ensure_listening(self) -> None:
        """Start this process's listener thread (once per process: a forked worker starts its own)."""
        pid = os.getpid()
        if self._listener_pid == pid:
            return
        with self._start_lock:
            if self._listener_pid == pid:
                return
            self._subscribed = False
            self._listener_pid = pid
            threading.Thread(target=self._listen, name="mpp-queue-live", daemon=True).start()

    def _apply(self, data: bytes) -> None:
        sender, _, body = data.decode("ascii", "replace").partition(" ")
        if sender == self.sender:
            return  # applied locally when it was announced
        if body == EVERY_MPP:
            self.versions.changed(EVERY_MPP)
        else:
            self.versions.changed(int(part) for part in body.split(",") if part.isdigit())

    def close(self) -> None:
        """Stop listening (a process ends its listener by ending; tests that make feeds of their own call this)."""
        self._stop.set()
        self._subscribed = False

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = None
            try:
                client = redis.Redis.from_url(
                    self.url, socket_timeout=DEAD_AFTER, socket_connect_timeout=DEAD_AFTER, health_check_interval=0
                )
                pubsub = client.pubsub()
                pubsub.subscribe(self.channel)
                last_ping = time.monotonic()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=PING_EVERY / 2)
                    now = time.monotonic()
                    if message is not None:
                        kind = message["type"]
                        if kind == "subscribe":  # first or renewed subscription: anything may have been missed
                            self.versions.changed(EVERY_MPP)
                            self._subscribed = not self._stop.is_set()
                        elif kind == "message":
                            self._apply(message["data"])
                        self._last_heard = now
                    if now - last_ping >= PING_EVERY:
                        pubsub.ping()
                        last_ping = now
                    if now - self._last_heard >= DEAD_AFTER and self._subscribed:
                        raise redis.TimeoutError("no answer to the listener's pings")
            except (redis.RedisError, OSError) as error:
                self._subscribed = False
                self._complain("listen to", error)
            except Exception:  # noqa: BLE001 - a bug here must not end the listener; boards fall back meanwhile
                self._subscribed = False
                log.exception("live queue: the listener failed; boards are read from the database until it is back")
            finally:
                if pubsub is not None:
                    with contextlib.suppress(redis.RedisError, OSError):
                        pubsub.close()
            self._stop.wait(RECONNECT_AFTER)


class LiveQueue:
    """One per app: this process's versions, the answers it remembers, and (national profile) the Redis feed."""

    def __init__(self, redis_url: str | None) -> None:
        self.versions = Versions()
        self.feed = RedisFeed(redis_url, self.versions) if redis_url else None
        self._remembered: dict[tuple, _Remembered] = {}
        self._lock = threading.Lock()

    def token(self, mpp_id: int) -> tuple[int, int] | None:
        """Take before reading an MPP's queue from the database. None: changes may not reach this process now
        (Redis unreachable), so nothing read now may be answered from memory later."""
        if self.feed is not None:
            self.feed.ensure_listening()
            if not self.feed.healthy:
                return None
        return self.versions.token(mpp_id)

    def remember(self, key: tuple, *, mpp_id: int, token: tuple[int, int] | None, value: Any, now: float) -> None:
        if token is None:
            return
        entry = _Remembered(mpp_id, token, value, end_of_minute(now))
        with self._lock:
            if len(self._remembered) > 10_000:  # a bound, never reached by real boards (one key per MPP × language)
                self._remembered.clear()
            self._remembered[key] = entry

    def recall(self, key: tuple, *, now: float) -> Any:
        """What was remembered under ``key``, if nothing changed at its MPP since and its minute has not ended."""
        entry = self._remembered.get(key)
        if entry is None or entry.expires <= now:
            return None
        if self.token(entry.mpp_id) != entry.token:
            return None
        return entry.value

    def announce(self, mpp_ids) -> None:
        self.versions.changed(mpp_ids)
        if self.feed is not None:
            self.feed.publish(mpp_ids)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = LiveQueue(app.config.get("REDIS_URL"))


def live_of(app: Flask) -> LiveQueue:
    return app.extensions[EXTENSION]


# --- what a transaction changed -----------------------------------------------------------------------------------


def _values(state, name: str) -> list:
    history = state.attrs[name].history
    return [*history.added, *history.unchanged, *history.deleted]


def _mpps_of(booking: Booking) -> set[int] | str | None:
    """The MPPs whose board may show this booking before or after the change (old and new values); EVERY_MPP when
    what it was is not loaded; None when it was never on a board."""
    state = inspect(booking)
    statuses = _values(state, "status")
    mpps = _values(state, "mpp_id")
    if not statuses or not mpps:
        return EVERY_MPP
    if not any(status in ON_THE_BOARD for status in statuses):
        return None
    return {mpp for mpp in mpps if mpp is not None}


def _note(session: Session, mpps) -> None:
    pending = session.info.get(_PENDING)
    if pending == EVERY_MPP:
        return
    if mpps == EVERY_MPP:
        session.info[_PENDING] = EVERY_MPP
    else:
        session.info[_PENDING] = (pending or set()) | mpps


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, flush_context) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Booking):
            mpps = _mpps_of(obj)
            if mpps is not None:
                _note(session, mpps)
        elif type(obj).__module__ == CATALOG_MODULE:
            _note(session, EVERY_MPP)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table == Booking.__tablename__ and not state.execution_options.get(OFF_THE_BOARD_OPTION):
        _note(state.session, EVERY_MPP)


@event.listens_for(Session, "after_commit")
def _announce_after_commit(session: Session) -> None:
    mpps = session.info.pop(_PENDING, None)
    if not mpps or not has_app_context():
        return
    live = current_app.extensions.get(EXTENSION)
    if live is not None:
        live.announce(mpps)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)

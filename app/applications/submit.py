"""Submit a draft exactly once.

A double tap, a retry after a timeout, a submission queued offline and replayed hours later, or two threads racing
with the same request all carry the same idempotency key and must create ONE application. Three guards, each
sufficient for its own case:

1. The key is looked up first: a replay gets the application it already made, and nothing is written.
2. ``ApplicationRevision.idempotency_key`` is unique: two concurrent first attempts both get past (1), and the
   database lets only one commit; the loser rolls back and returns the winner's application.
3. The draft is claimed with a conditional UPDATE (``submitted_application_id IS NULL``): the same draft submitted
   twice with *different* keys (two open tabs) still becomes one application.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from ..personal.documents import pin_documents
from . import corrections, on_behalf, tracking, workflow
from .drafts import (
    CHECK_STEP,
    DOCUMENTS_STEP,
    LOCATION_STEP,
    document_errors,
    form_of,
    location_errors,
    step_keys,
)
from .models import Application, ApplicationRevision, ApplicationStatus, Draft
from .validation import validate
from .workdays import expected_completion, local_date

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class SubmissionInvalid(Exception):
    """The draft is not complete. ``errors`` maps form-field names to messages; ``step`` is the first screen
    with a problem."""

    def __init__(self, errors: dict[str, str], step: str) -> None:
        super().__init__("submission invalid")
        self.errors = errors
        self.step = step


class KeyReused(Exception):
    """The idempotency key belongs to another account's submission: refuse without saying whose."""


@dataclass
class SubmitResult:
    application: Application
    created: bool


def valid_key(key: str | None) -> bool:
    return bool(key) and bool(IDEMPOTENCY_KEY.match(key))


def _by_key(key: str) -> ApplicationRevision | None:
    return db.session.scalar(select(ApplicationRevision).where(ApplicationRevision.idempotency_key == key))


def _replay(user: User, key: str, draft_id: int) -> Application | None:
    revision = _by_key(key)
    if revision is not None:
        if revision.application.user_id != user.id:
            raise KeyReused()
        return revision.application
    draft = db.session.get(Draft, draft_id)
    if draft is not None and draft.submitted_application_id is not None:
        return db.session.get(Application, draft.submitted_application_id)
    return None


def check_draft(draft: Draft) -> dict[str, str]:
    """Every error of the whole draft: fields, where, documents. Empty when it can be submitted."""
    form = form_of(draft)
    _data, errors = validate(form, draft.answers)
    errors.update(location_errors(draft))
    requested = corrections.requested_documents(draft.application)
    errors.update(document_errors(draft.user, form, draft.answers, requested=requested))
    return errors


def _first_step_with_error(draft: Draft, errors: dict[str, str]) -> str:
    form = form_of(draft)
    for step in step_keys(draft):
        if step == LOCATION_STEP and "mpp" in errors:
            return step
        if step == DOCUMENTS_STEP and any(name.startswith("dokumen.") for name in errors):
            return step
        if step not in (LOCATION_STEP, DOCUMENTS_STEP, CHECK_STEP):
            fields = set(form.step(step)["fields"])
            if any(name.partition(".")[0] in fields for name in errors):
                return step
    return CHECK_STEP


def _write(user: User, draft: Draft, key: str) -> Application:
    """Everything in one transaction: application (or its correction), frozen revision, timeline, draft claim."""
    form = form_of(draft)
    data, _errors = validate(form, draft.answers)
    now = utcnow()
    tz_name = draft.mpp.timezone if draft.mpp else None
    documents = {
        name.removeprefix("dokumen."): int(value)
        for name, value in draft.answers.items()
        if name.startswith("dokumen.") and value
    }
    answers = {name: value for name, value in draft.answers.items() if not name.startswith("dokumen.")}
    if draft.application_id is None:
        region = draft.mpp.region.code if draft.mpp else None
        application = Application(
            tracking_number=tracking.new_tracking_number(region, local_date(now, tz_name).year),
            user_id=user.id,
            service_id=draft.service_id,
            mpp_id=draft.mpp_id,
            status=ApplicationStatus.DRAFT,
            submitted_at=now,
        )
        db.session.add(application)
        number = 1
    else:
        application = db.session.get(Application, draft.application_id)
        application.mpp_id = draft.mpp_id or application.mpp_id
        application.submitted_at = now
        number = len(application.revisions) + 1
    # The time limit runs from the last complete submission: a correction restarts the clock, because the
    # standard's jangka waktu counts from complete requirements (PermenPANRB 15/2014).
    application.due_date = expected_completion(draft.service, now, tz_name)
    db.session.add(
        ApplicationRevision(
            application=application,
            number=number,
            form_definition_id=draft.form_definition_id,
            idempotency_key=key,
            answers=answers,
            data=data,
            documents=documents,
            submitted_at=now,
        )
    )
    on_behalf.stamp_subject(application, draft, user)  # applied for a family member: who, and as what (issue 13)
    pin_documents(application.latest_revision, documents, user)  # the exact files it is sent with (issue 9)
    workflow.transition(application, ApplicationStatus.SUBMITTED, actor=user)
    claimed = db.session.execute(
        update(Draft)
        .where(Draft.id == draft.id, Draft.submitted_application_id.is_(None))
        .values(submitted_application_id=application.id, revision=Draft.revision + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise _AlreadyClaimed()
    db.session.commit()
    return application


class _AlreadyClaimed(Exception):
    pass


def submit_draft(user: User, draft: Draft, *, idempotency_key: str) -> SubmitResult:
    """Turn the draft into an application (or a correction into a new revision), exactly once.

    Raises ``SubmissionInvalid`` when the draft is incomplete, ``KeyReused`` for another account's key, and
    ``workflow.TransitionRefused`` when the application can no longer be resubmitted (e.g. it was rejected).
    """
    if not valid_key(idempotency_key):
        raise ValueError("idempotency key must be 16–64 URL-safe characters")
    draft_id, user_id = draft.id, user.id
    existing = _replay(user, idempotency_key, draft_id)
    if existing is not None:
        return SubmitResult(existing, created=False)
    errors = check_draft(draft)
    if errors:
        raise SubmissionInvalid(errors, _first_step_with_error(draft, errors))
    for attempt in range(5):
        try:
            return SubmitResult(_write(user, draft, idempotency_key), created=True)
        except (IntegrityError, _AlreadyClaimed, workflow.TransitionConflict):
            db.session.rollback()
            user = db.session.get(User, user_id)
            existing = _replay(user, idempotency_key, draft_id)
            if existing is not None:
                return SubmitResult(existing, created=False)
            if attempt == 4:
                raise
        except workflow.TransitionRefused:
            db.session.rollback()
            raise
        except OperationalError:
            # SQLite under a burst of writers can still answer "database is locked" after busy_timeout.
            db.session.rollback()
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
        user = db.session.get(User, user_id)
        draft = db.session.get(Draft, draft_id)
    raise RuntimeError("unreachable")  # pragma: no cover

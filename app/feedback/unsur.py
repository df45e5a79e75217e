"""An MPP's own survey unsur and weights (PermenPANRB 14/2017: a provider may add unsur or change the weights, as
long as the weights sum to 1 — domain.md §3.2).

What an MPP admin may set, on /petugas/survei/unsur:
  * a weight for each of the regulation's nine unsur (none may be dropped: each keeps a weight above 0);
  * up to three unsur of its own (x1–x3), each with a name, a question and a weight;
  * weights are read exactly — "1/9", "0.1", "0,1" (Indonesian decimal comma) or "10%" — and stored as the exact
    fraction, so "0.11 × 9" is refused (0.99, not 1) instead of silently lowering every score.

The IKM of an MPP is computed with its weights (weights_for); where responses of several MPPs are pooled (the
national officer view) the regulation's equal weights over the nine unsur are used, since no one MPP's choice
can speak for the others.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from fractions import Fraction

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..accounts.models import User
from ..extensions import db
from . import ikm
from .models import SurveyUnsur
from .questions import QUESTIONS, Question

EXTRA_CODES: tuple[str, ...] = ("x1", "x2", "x3")
NAME_MAX = 80
QUESTION_MAX = 200
# The four answers of an MPP's own unsur (its question is free text, so the answers are the generic scale).
EXTRA_LABELS = (_l("Not good"), _l("Less good"), _l("Good"), _l("Very good"))

_NUMBER = re.compile(r"^\d{1,6}(?:[.,]\d{1,12})?$")
_RATIO = re.compile(r"^\d{1,6}\s*/\s*\d{1,6}$")
_PERCENT = re.compile(r"^(\d{1,3}(?:[.,]\d{1,10})?)\s*%$")


def parse_weight(raw: str) -> Fraction | None:
    """An exact weight from what an admin typed, or None when it is not a number we read exactly."""
    text = (raw or "").strip()
    if not text or len(text) > 20:
        return None
    if _RATIO.match(text):
        top, bottom = (int(part) for part in text.split("/"))
        return Fraction(top, bottom) if bottom else None
    if match := _PERCENT.match(text):
        return Fraction(match[1].replace(",", ".")) / 100
    if _NUMBER.match(text):
        return Fraction(text.replace(",", "."))
    return None


def show_weight(value: Fraction) -> str:
    """How a stored weight is written back into the form: "1/9" stays a fraction, "1/10" becomes "0.1"."""
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator //= 2
    while denominator % 5 == 0:
        denominator //= 5
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
    return f"{float(value):.{digits}f}" if digits else str(value.numerator)


@dataclass(frozen=True)
class MppUnsur:
    """The unsur an MPP asks and their exact weights (codes in the order they are asked)."""

    weights: dict[str, Fraction]
    extra: tuple[Question, ...] = ()
    custom: bool = False

    @property
    def questions(self) -> tuple[Question, ...]:
        return (*QUESTIONS, *self.extra)


REGULATION = MppUnsur(ikm.default_weights())


def for_mpp(mpp_id: int | None) -> MppUnsur:
    """The MPP's settings; the regulation's nine at 1/9 when it has none (or they no longer sum to 1)."""
    if mpp_id is None:
        return REGULATION
    rows = db.session.scalars(select(SurveyUnsur).where(SurveyUnsur.mpp_id == mpp_id)).all()
    if not rows:
        return REGULATION
    by_code = {row.code: row for row in rows}
    try:
        weights = ikm.check_weights({code: by_code[code].weight for code in (*ikm.UNSUR_CODES, *EXTRA_CODES)
                                     if code in by_code})  # fmt: skip
    except ikm.WeightsInvalid:  # never stored so (save() checks first); fall back rather than mis-score
        return REGULATION
    extra = tuple(
        Question(code, by_code[code].name, by_code[code].question, EXTRA_LABELS)
        for code in EXTRA_CODES
        if code in by_code
    )
    return MppUnsur(weights, extra, custom=True)


def weights_for(mpp_id: int | None) -> dict[str, Fraction]:
    return for_mpp(mpp_id).weights


def weights_by_mpp(mpp_ids) -> dict[int, dict[str, Fraction]]:
    """Every listed MPP's weights in one query (for the national performance table)."""
    ids = sorted({m for m in mpp_ids if m is not None})
    out = {mpp_id: REGULATION.weights for mpp_id in ids}
    if not ids:
        return out
    grouped: dict[int, dict[str, str]] = {}
    for mpp_id, code, weight in db.session.execute(
        select(SurveyUnsur.mpp_id, SurveyUnsur.code, SurveyUnsur.weight).where(SurveyUnsur.mpp_id.in_(ids))
    ):
        grouped.setdefault(mpp_id, {})[code] = weight
    for mpp_id, weights in grouped.items():
        with contextlib.suppress(ikm.WeightsInvalid):  # never stored so; the regulation's then
            out[mpp_id] = ikm.check_weights(weights)
    return out


# --- the admin's form --------------------------------------------------------------------------------------------


@dataclass
class UnsurForm:
    weights: dict[str, str] = field(default_factory=dict)  # code → as typed
    names: dict[str, str] = field(default_factory=dict)  # x1–x3
    questions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, form) -> UnsurForm:
        out = cls()
        for code in (*ikm.UNSUR_CODES, *EXTRA_CODES):
            out.weights[code] = (form.get(f"bobot_{code}") or "").strip()[:40]
        for code in EXTRA_CODES:
            out.names[code] = " ".join((form.get(f"nama_{code}") or "").split())[:300]
            out.questions[code] = " ".join((form.get(f"pertanyaan_{code}") or "").split())[:600]
        return out

    @classmethod
    def of(cls, settings: MppUnsur) -> UnsurForm:
        out = cls()
        for code, weight in settings.weights.items():
            out.weights[code] = show_weight(weight)
        for question in settings.extra:
            out.names[question.code] = str(question.unsur)
            out.questions[question.code] = str(question.text)
        return out


MSG_NOT_A_NUMBER = _l("Write the weight as a fraction (1/9), a decimal (0.1) or a percentage (10%).")
MSG_NOT_POSITIVE = _l("Every unsur of the regulation keeps a weight above 0.")
MSG_NAME = _l("Give the unsur a name (at most %(max)d characters).", max=NAME_MAX)
MSG_QUESTION = _l("Write the question citizens answer (at most %(max)d characters).", max=QUESTION_MAX)
MSG_WEIGHT_MISSING = _l("Give this unsur a weight above 0.")


def validate(form: UnsurForm) -> tuple[dict[str, str], dict[str, Fraction]]:
    """Errors by field name (and "jumlah" for the sum), and the exact weights when there is none."""
    errors: dict[str, str] = {}
    weights: dict[str, Fraction] = {}
    for code in ikm.UNSUR_CODES:
        value = parse_weight(form.weights.get(code, ""))
        if value is None:
            errors[f"bobot_{code}"] = str(MSG_NOT_A_NUMBER)
        elif value <= 0:
            errors[f"bobot_{code}"] = str(MSG_NOT_POSITIVE)
        else:
            weights[code] = value
    for code in EXTRA_CODES:
        name, question, raw = form.names.get(code, ""), form.questions.get(code, ""), form.weights.get(code, "")
        if not (name or question or raw.strip("0.,% ")):
            continue  # an empty row: this extra unsur is not used
        if not name or len(name) > NAME_MAX:
            errors[f"nama_{code}"] = str(MSG_NAME)
        if not question or len(question) > QUESTION_MAX:
            errors[f"pertanyaan_{code}"] = str(MSG_QUESTION)
        value = parse_weight(raw)
        if value is None:
            errors[f"bobot_{code}"] = str(MSG_NOT_A_NUMBER if raw else MSG_WEIGHT_MISSING)
        elif value <= 0:
            errors[f"bobot_{code}"] = str(MSG_WEIGHT_MISSING)
        else:
            weights[code] = value
    if not errors:
        try:
            ikm.check_weights(weights)
        except ikm.WeightsInvalid:
            errors["jumlah"] = sum_message(sum(weights.values(), Fraction(0)))
    return errors, weights


def sum_message(total: Fraction) -> str:
    """Says what the weights add up to, exactly and as a decimal, so the admin sees how far off they are."""
    decimal = format_decimal(float(total), format="#,##0.######")
    return _(
        "The weights add up to %(total)s (%(decimal)s), not exactly 1. Change them so they add up to 1.",
        total=f"{total.numerator}/{total.denominator}",
        decimal=decimal,
    )


def mpps_for(scope) -> list:
    """The MPPs whose unsur this staff member may set: an MPP admin's own, every MPP for a national admin."""
    from ..catalog.models import Mpp

    if scope is None or not scope.is_admin:
        return []
    query = select(Mpp).order_by(Mpp.name)
    if not scope.national:
        query = query.where(Mpp.id.in_(sorted(scope.admin_mpps)))
    return list(db.session.scalars(query))


def describe(weights: dict[str, Fraction], form: UnsurForm) -> str:
    """What was saved, for the audit log: each code with its exact weight, and the names of added unsur."""
    parts = [f"{code}={w.numerator}/{w.denominator}" for code, w in weights.items()]
    names = [f"{code}: {form.names[code]}" for code in EXTRA_CODES if code in weights and form.names.get(code)]
    return "; ".join([" ".join(parts), *names])[:2000]


def save(mpp_id: int, form: UnsurForm, actor: User) -> dict[str, str]:
    """Replace the MPP's settings when the form is valid (errors by field otherwise; nothing is changed then).
    Setting the regulation's nine at 1/9 with no extra unsur removes the MPP's rows: it then follows the
    regulation again."""
    errors, weights = validate(form)
    if errors:
        return errors
    db.session.execute(delete(SurveyUnsur).where(SurveyUnsur.mpp_id == mpp_id))
    if weights != REGULATION.weights:
        for code, weight in weights.items():
            db.session.add(
                SurveyUnsur(
                    mpp_id=mpp_id,
                    code=code,
                    weight=f"{weight.numerator}/{weight.denominator}",
                    name=form.names.get(code) or None if code in EXTRA_CODES else None,
                    question=form.questions.get(code) or None if code in EXTRA_CODES else None,
                    updated_by_id=actor.id,
                )
            )
    from ..backoffice import audit
    from ..backoffice.models import AuditAction

    audit.record(actor=actor, action=AuditAction.SURVEY_UNSUR, mpp_id=mpp_id, reason=describe(weights, form))
    db.session.commit()
    return {}

"""The survey sheet: the nine unsur of PermenPANRB 14/2017 in the regulation's order and wording, their 1–4 answer
labels (the regulation's example questionnaire, Lampiran), and the optional respondent profile.

The regulation lists the unsur as (a) persyaratan … (h) penanganan pengaduan, saran dan masukan, (i) sarana dan
prasarana; some apps swap the last two — we keep the regulation's order (domain.md §3.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Question:
    code: str
    unsur: object  # lazy string: the unsur's name
    text: object  # lazy string: the question
    labels: tuple  # the four answers, score 1 → 4


QUESTIONS: tuple[Question, ...] = (
    Question(
        "u1",
        _l("Requirements"),
        _l("How well do the requirements fit the type of service?"),
        (_l("Not suitable"), _l("Less suitable"), _l("Suitable"), _l("Very suitable")),
    ),
    Question(
        "u2",
        _l("Systems, mechanisms and procedures"),
        _l("How easy is the service procedure at this unit?"),
        (_l("Not easy"), _l("Less easy"), _l("Easy"), _l("Very easy")),
    ),
    Question(
        "u3",
        _l("Completion time"),
        _l("How fast was the service delivered?"),
        (_l("Not fast"), _l("Less fast"), _l("Fast"), _l("Very fast")),
    ),
    Question(
        "u4",
        _l("Cost/tariff"),
        _l("How fair is the cost or tariff of the service?"),
        (_l("Very expensive"), _l("Quite expensive"), _l("Cheap"), _l("Free of charge")),
    ),
    Question(
        "u5",
        _l("Product specification by type of service"),
        _l("How well does the product you received match what the service standard states?"),
        (_l("Not suitable"), _l("Less suitable"), _l("Suitable"), _l("Very suitable")),
    ),
    Question(
        "u6",
        _l("Competence of the staff"),
        _l("How competent were the staff who served you?"),
        (_l("Not competent"), _l("Less competent"), _l("Competent"), _l("Very competent")),
    ),
    Question(
        "u7",
        _l("Conduct of the staff"),
        _l("How polite and friendly were the staff who served you?"),
        (
            _l("Not polite and friendly"),
            _l("Less polite and friendly"),
            _l("Polite and friendly"),
            _l("Very polite and friendly"),
        ),
    ),
    Question(
        "u8",
        _l("Handling of complaints, suggestions and input"),
        _l("How are complaints from service users handled?"),
        (_l("There is none"), _l("Exists but does not work"), _l("Works, not at its best"), _l("Well managed")),
    ),
    Question(
        "u9",
        _l("Facilities and infrastructure"),
        _l("How good are the facilities and infrastructure?"),
        (_l("Poor"), _l("Fair"), _l("Good"), _l("Very good")),
    ),
)

QUESTION_BY_CODE = {q.code: q for q in QUESTIONS}

# The respondent profile of the regulation's questionnaire (all optional).
AGE_BANDS = (
    ("lt20", _l("Under 20")),
    ("20-29", _l("20–29")),
    ("30-39", _l("30–39")),
    ("40-49", _l("40–49")),
    ("50-59", _l("50–59")),
    ("60+", _l("60 or older")),
)
SEXES = (("l", _l("Male")), ("p", _l("Female")))
EDUCATION = (
    ("sd", _l("Primary school or lower")),
    ("smp", _l("Junior high school")),
    ("sma", _l("Senior high school")),
    ("d1-d3", _l("Diploma (D1–D3)")),
    ("s1-d4", _l("Bachelor (S1/D4)")),
    ("s2+", _l("Master or higher")),
)
OCCUPATIONS = (
    ("pns", _l("Civil servant")),
    ("tni-polri", _l("Military or police")),
    ("swasta", _l("Private employee")),
    ("wirausaha", _l("Self-employed")),
    ("pelajar", _l("Student")),
    ("lainnya", _l("Other")),
)
PROFILE_FIELDS = {"age_band": AGE_BANDS, "sex": SEXES, "education": EDUCATION, "occupation": OCCUPATIONS}

SUGGESTION_MAX_LENGTH = 2000

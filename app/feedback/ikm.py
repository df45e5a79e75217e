"""The Indeks Kepuasan Masyarakat (IKM), computed exactly (PermenPANRB 14/2017, Lampiran).

Pure arithmetic on plain values — no database, no Flask — so every rule here is tested on its own.

    NRR_i          = Σ scores of unsur i ÷ number of respondents who answered unsur i
    IKM (1–4)      = Σ NRR_i × w_i, with w_i = 1/9 for the regulation's nine unsur
    IKM (25–100)   = IKM × 25

The regulation prints the weight as "0,11". Using 0.11 (or 0.1111) instead of 1/9 silently lowers every score
(9 × 0.11 = 0.99: a 91.48 becomes 90.56), so weights are ``Fraction`` values and the sum must be exactly 1.
Rounding happens once, when a number is shown (two decimals, half up, as the regulation's tables print them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import NormalDist

# The nine unsur, in the regulation's order (Lampiran PermenPANRB 14/2017, bagian "Unsur Survei").
UNSUR_CODES: tuple[str, ...] = ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")

SCALE = (1, 2, 3, 4)
CONVERSION = 25  # 1–4 → 25–100
MIN_RESPONSES_FOR_SCORE = 5  # below this a score says more about one person than about the service

# Grade bands on the converted value (25–100), as printed in the regulation's table and the reports that use it:
# D 25.00–64.99, C 65.00–76.60, B 76.61–88.30, A 88.31–100.00. The bands are given at two decimals, so a score is
# graded on the same two-decimal value that is shown: a displayed score and its grade can never contradict the
# printed table (76.605 is shown as 76.61 and graded B; 76.604 is shown as 76.60 and graded C).
GRADE_BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("88.31"), "A"),
    (Decimal("76.61"), "B"),
    (Decimal("65.00"), "C"),
    (Decimal("25.00"), "D"),
)

# Krejcie & Morgan (1970), the table the regulation's guideline refers to for the minimum sample: 95% confidence
# (χ² for 1 degree of freedom = 3.841), maximum variability P = 0.5, margin of error d = 0.05.
KM_CHI_SQUARE = Fraction(3841, 1000)
KM_P = Fraction(1, 2)
KM_D = Fraction(5, 100)


class WeightsInvalid(ValueError):
    """Custom unsur weights that do not sum to exactly 1 (or are not positive)."""


def default_weights(codes: Sequence[str] = UNSUR_CODES) -> dict[str, Fraction]:
    """Equal weights, exactly 1/n each (1/9 for the regulation's nine unsur)."""
    return {code: Fraction(1, len(codes)) for code in codes}


def check_weights(weights: Mapping[str, Fraction | int | str]) -> dict[str, Fraction]:
    """Weights as exact fractions; an MPP may add unsur or reweigh them only if the weights sum to exactly 1.

    Strings are read exactly ("1/9", "0.25"); floats are refused, because 0.1 is not one tenth in binary.
    """
    exact: dict[str, Fraction] = {}
    for code, value in weights.items():
        if isinstance(value, float):
            raise WeightsInvalid(f"weight of {code} must be exact (a fraction or a decimal string), not a float")
        try:
            exact[code] = Fraction(value)
        except (ValueError, ZeroDivisionError) as error:
            raise WeightsInvalid(f"weight of {code} is not a number: {value!r}") from error
        if exact[code] <= 0:
            raise WeightsInvalid(f"weight of {code} must be positive")
    if not exact or sum(exact.values()) != 1:
        raise WeightsInvalid(f"weights must sum to exactly 1, not {sum(exact.values(), Fraction(0))}")
    return exact


def nrr(responses: Iterable[Mapping[str, int | None]], code: str) -> tuple[Fraction | None, int]:
    """(NRR of unsur ``code``, number of respondents who answered it). A skipped unsur does not count as a zero."""
    return _nrr_grouped([(response, 1) for response in responses], code)


def _nrr_grouped(groups: Iterable[tuple[Mapping[str, int | None], int]], code: str) -> tuple[Fraction | None, int]:
    total = answered = 0
    for response, count in groups:
        if (value := response.get(code)) is not None:
            total += value * count
            answered += count
    if not answered:
        return None, 0
    return Fraction(total, answered), answered


def round2(value: Fraction) -> Decimal:
    """Two decimals, half up — the one rounding, applied for display and grading only."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def grade(score: Fraction) -> str:
    """A–D for a converted score (25–100), on its two-decimal value (see GRADE_BANDS)."""
    shown = round2(score)
    for lower, letter in GRADE_BANDS:
        if shown >= lower:
            return letter
    return "D"


def krejcie_morgan(population: int) -> int:
    """Minimum sample for a population of ``population`` people served (Krejcie & Morgan 1970):

        n = χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P)),  rounded to the nearest whole person.

    Rounded to nearest, not up, because that is how the published table was made: N=50 → 44 (44.3),
    N=100 → 80 (79.5), N=500 → 217 (217.47), N=1000 → 278, N=10000 → 370.
    """
    if population <= 0:
        return 0
    n = population
    pq = KM_P * (1 - KM_P)
    exact = KM_CHI_SQUARE * n * pq / (KM_D**2 * (n - 1) + KM_CHI_SQUARE * pq)
    return math.floor(exact + Fraction(1, 2))


def t_critical_975(df: int) -> float:
    """The 97.5% quantile of Student's t with ``df`` degrees of freedom (Cornish–Fisher expansion around the
    normal quantile; within 0.002 of the table for df ≥ 4, which is all we use: no score below 5 responses)."""
    z = NormalDist().inv_cdf(0.975)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@dataclass(frozen=True)
class UnsurResult:
    code: str
    nrr: Fraction | None
    answered: int
    weight: Fraction

    @property
    def converted(self) -> Fraction | None:
        return None if self.nrr is None else self.nrr * CONVERSION


@dataclass(frozen=True)
class IkmResult:
    respondents: int
    unsur: tuple[UnsurResult, ...]
    ikm: Fraction | None  # 1–4, exact; None below MIN_RESPONSES_FOR_SCORE
    interval: tuple[float, float] | None  # 95% confidence interval of the converted score
    minimum_sample: int | None  # Krejcie–Morgan for the population served, when it is known
    population: int | None

    @property
    def has_score(self) -> bool:
        return self.ikm is not None

    @property
    def score(self) -> Fraction | None:
        """The converted IKM (25–100), exact."""
        return None if self.ikm is None else self.ikm * CONVERSION

    @property
    def score_shown(self) -> Decimal | None:
        return None if self.score is None else round2(self.score)

    @property
    def grade(self) -> str | None:
        return None if self.score is None else grade(self.score)

    @property
    def too_few(self) -> bool:
        """Fewer responses than the minimum sample for the people served in the period (or fewer than 5)."""
        if self.respondents < MIN_RESPONSES_FOR_SCORE:
            return True
        return self.minimum_sample is not None and self.respondents < self.minimum_sample


def _respondent_scores(responses: Sequence[Mapping[str, int | None]], weights: Mapping[str, Fraction]) -> list[float]:
    """Each respondent's own weighted mean (1–4) over the unsur they answered (weights renormalised).

    Integer arithmetic: the weights are scaled to whole numbers over their common denominator, so a year of
    responses costs a few integer sums each instead of thousands of Fraction operations. Only the interval uses
    these, and it is a float anyway; the IKM itself stays exact (compute)."""
    denominator = math.lcm(*(w.denominator for w in weights.values())) if weights else 1
    scaled = [(code, int(w * denominator)) for code, w in weights.items()]
    out = []
    for response in responses:
        total = weighted = 0
        for code, w in scaled:
            value = response.get(code)
            if value is not None:
                total += w
                weighted += value * w
        if total:
            out.append(weighted / total)
    return out


def confidence_interval(
    responses: Sequence[Mapping[str, int | None]], weights: Mapping[str, Fraction], centre: Fraction
) -> tuple[float, float] | None:
    """95% interval for the converted IKM: a Student-t interval around the IKM, with the standard error of the
    per-respondent weighted scores (each respondent is one independent draw; the nine answers of one person are
    not nine draws). No finite-population correction: it only narrows the interval, and over-promising precision
    is the failure we are guarding against. Clipped to the scale (25–100)."""
    return _interval(_respondent_scores(responses, weights), centre)


def _interval(scores: list[float], centre: Fraction) -> tuple[float, float] | None:
    n = len(scores)
    if n < 2:
        return None
    mean = math.fsum(scores) / n
    variance = math.fsum((s - mean) ** 2 for s in scores) / (n - 1)
    half = t_critical_975(n - 1) * math.sqrt(variance / n) * CONVERSION
    c = float(centre) * CONVERSION
    return max(25.0, c - half), min(100.0, c + half)


def compute(
    responses: Sequence[Mapping[str, int | None]],
    weights: Mapping[str, Fraction | int | str] | None = None,
    *,
    population: int | None = None,
) -> IkmResult:
    """The IKM of ``responses`` (each a mapping unsur code → 1..4 or None when skipped).

    ``weights`` defaults to exactly 1/9 for the nine unsur; custom weights must sum to exactly 1
    (``WeightsInvalid`` otherwise). ``population`` is the number of people served in the period, for the
    minimum-sample check. Fewer than 5 responses: NRR per unsur is still given, the IKM is not.
    """
    return compute_grouped([(response, 1) for response in responses], weights, population=population)


def compute_grouped(
    groups: Sequence[tuple[Mapping[str, int | None], int]],
    weights: Mapping[str, Fraction | int | str] | None = None,
    *,
    population: int | None = None,
) -> IkmResult:
    """``compute`` over (answers, how many respondents gave exactly these answers): the same result as over the
    responses written out one by one (the sums are exact, the interval's fsum does not depend on order), for
    responses counted per answer pattern by the database instead of read one by one."""
    exact = check_weights(weights) if weights is not None else default_weights()
    for response, _count in groups:
        for code, value in response.items():
            if value is not None and value not in SCALE:
                raise ValueError(f"score of {code} must be 1–4, not {value!r}")
    unsur = tuple(UnsurResult(code, *_nrr_grouped(groups, code), weight=w) for code, w in exact.items())
    respondents = sum(count for _response, count in groups)
    ikm = None
    interval = None
    if respondents >= MIN_RESPONSES_FOR_SCORE:
        answered = [u for u in unsur if u.nrr is not None]
        total = sum((u.weight for u in answered), Fraction(0))
        # An unsur nobody answered has no NRR: the IKM is over the unsur that were answered, their weights
        # renormalised (with every unsur answered, total == 1 and this is exactly Σ NRR_i × w_i).
        if total:
            ikm = sum((u.nrr * u.weight for u in answered), Fraction(0)) / total
            scores = []
            for response, count in groups:  # one respondent's score per answer pattern, repeated
                scores += _respondent_scores([response], exact) * count
            interval = _interval(scores, ikm)
    minimum = krejcie_morgan(population) if population else None
    return IkmResult(respondents, unsur, ikm, interval, minimum, population)

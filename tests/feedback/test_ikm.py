"""The IKM arithmetic of PermenPANRB 14/2017, exact, against a published worked example."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from app.feedback import ikm

# Worked example: "Rumus Perhitungan IKM Lengkap", SKM Triwulan III of the GASPUL service (Kanwil Kemenag Sulawesi
# Barat), published in the public repository rennn9/GASPUL_BACKEND (rumus_perhitungan_ikm_lengkap.md), 29
# respondents. Per unsur, how many respondents gave 4, 3, 2 (their table lists U8 Sarana before U9 Pengaduan;
# the regulation's order puts Penanganan pengaduan at U8 and Sarana at U9 — mapped here to our codes):
#
#   unsur  4s  3s  2s  total  NRR
#   U1     18  11   0   105   3.6207
#   U2     14  15   0   101   3.4828
#   U3     15  12   2   100   3.4483
#   U4     29   0   0   116   4.0000
#   U5     15  14   0   102   3.5172
#   U6     18  11   0   105   3.6207
#   U7     19  10   0   106   3.6552
#   U8     28   1   0   115   3.9655   (their U9, Pengaduan)
#   U9     18  11   0   105   3.6207   (their U8, Sarana)
#   total                 955  → IKM = 955 / (29 × 9) × 25 = 91.475… = 91.48 (A)
#
# The same write-up's "weighted" column multiplies by 0.11 (e.g. U1 3.6207 × 0.11 = 0.3983) and reports 90.56:
# the rounding trap this module exists to avoid.
GASPUL = {
    "u1": (18, 11, 0),
    "u2": (14, 15, 0),
    "u3": (15, 12, 2),
    "u4": (29, 0, 0),
    "u5": (15, 14, 0),
    "u6": (18, 11, 0),
    "u7": (19, 10, 0),
    "u8": (28, 1, 0),
    "u9": (18, 11, 0),
}


def gaspul_responses() -> list[dict[str, int]]:
    """29 respondents whose per-unsur score counts are exactly the published table's."""
    columns = {code: [4] * fours + [3] * threes + [2] * twos for code, (fours, threes, twos) in GASPUL.items()}
    return [{code: columns[code][i] for code in ikm.UNSUR_CODES} for i in range(29)]


def test_the_published_example_gives_91_48_and_grade_a():
    result = ikm.compute(gaspul_responses())
    assert result.respondents == 29
    assert result.ikm == Fraction(955, 261)
    assert result.score == Fraction(955 * 25, 261)
    assert result.score_shown == Decimal("91.48")
    assert result.grade == "A"
    nrr = {u.code: u.nrr for u in result.unsur}
    assert nrr["u1"] == Fraction(105, 29) and ikm.round2(nrr["u1"]) == Decimal("3.62")
    assert nrr["u3"] == Fraction(100, 29)
    assert nrr["u4"] == 4
    assert all(u.weight == Fraction(1, 9) and u.answered == 29 for u in result.unsur)


def test_weights_of_0_11_fall_into_the_rounding_trap_and_are_refused():
    with pytest.raises(ikm.WeightsInvalid):
        ikm.compute(gaspul_responses(), {code: "0.11" for code in ikm.UNSUR_CODES})
    # What the trap would have printed: Σ NRR × 0.11 × 25 = 90.56, not 91.48.
    trap = sum(Fraction(sum(4 * a + 3 * b + 2 * c for a, b, c in [GASPUL[code]]), 29) for code in GASPUL)
    assert ikm.round2(trap * Fraction(11, 100) * 25) == Decimal("90.56")
    # And 0.1111 is no better.
    with pytest.raises(ikm.WeightsInvalid):
        ikm.check_weights({code: "0.1111" for code in ikm.UNSUR_CODES})


def test_custom_weights_that_sum_to_exactly_one_are_accepted():
    weights = {code: Fraction(1, 10) for code in ikm.UNSUR_CODES} | {"u10": Fraction(1, 10)}
    responses = [{**r, "u10": 2} for r in gaspul_responses()]
    result = ikm.compute(responses, weights)
    assert result.ikm == (Fraction(955, 29) + 2) / 10
    with pytest.raises(ikm.WeightsInvalid):
        ikm.check_weights({"u1": 0.5, "u2": 0.5})  # floats are not exact
    with pytest.raises(ikm.WeightsInvalid):
        ikm.check_weights({"u1": Fraction(3, 2), "u2": Fraction(-1, 2)})


def test_nrr_counts_only_the_respondents_who_answered_the_unsur():
    responses = [{"u1": 4, "u2": None}, {"u1": 2, "u2": 3}]
    assert ikm.nrr(responses, "u1") == (Fraction(3), 2)
    assert ikm.nrr(responses, "u2") == (Fraction(3), 1)
    assert ikm.nrr(responses, "u3") == (None, 0)


def test_no_score_is_given_for_fewer_than_five_responses():
    four = gaspul_responses()[:4]
    result = ikm.compute(four)
    assert result.ikm is None and result.grade is None and result.interval is None
    assert result.too_few
    assert result.unsur[0].nrr is not None  # the per-unsur counts are still shown
    assert ikm.compute(gaspul_responses()[:5]).has_score


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        ("25", "D"),
        ("64.99", "D"),
        ("64.994", "D"),
        ("64.995", "C"),
        ("65", "C"),
        ("76.60", "C"),
        ("76.604", "C"),
        ("76.605", "B"),
        ("76.61", "B"),
        ("88.30", "B"),
        ("88.305", "A"),
        ("88.31", "A"),
        ("100", "A"),
    ],
)
def test_grades_follow_the_regulation_bands_on_the_two_decimal_score(score, letter):
    assert ikm.grade(Fraction(score)) == letter


@pytest.mark.parametrize(
    ("population", "sample"),
    [(10, 10), (50, 44), (100, 80), (200, 132), (500, 217), (1000, 278), (10000, 370), (1000000, 384)],
)
def test_the_minimum_sample_matches_the_krejcie_morgan_table(population, sample):
    assert ikm.krejcie_morgan(population) == sample


def test_too_few_responses_is_flagged_against_the_people_served():
    responses = gaspul_responses()
    assert ikm.compute(responses, population=30).too_few is False  # table: 28 for N=30
    flagged = ikm.compute(responses, population=1000)
    assert flagged.minimum_sample == 278 and flagged.too_few
    assert flagged.has_score  # flagged, not hidden


def test_the_confidence_interval_surrounds_the_score_and_narrows_with_more_responses():
    result = ikm.compute(gaspul_responses())
    low, high = result.interval
    assert 25 <= low < float(result.score) < high <= 100
    doubled = ikm.compute(gaspul_responses() * 4)
    assert doubled.interval[1] - doubled.interval[0] < high - low
    everyone_agrees = ikm.compute([{code: 4 for code in ikm.UNSUR_CODES}] * 6)
    assert everyone_agrees.interval == (100.0, 100.0)


def test_the_t_quantile_matches_the_printed_table():
    for df, table in [(4, 2.776), (5, 2.571), (10, 2.228), (28, 2.048), (120, 1.980)]:
        assert ikm.t_critical_975(df) == pytest.approx(table, abs=0.002)


def test_scores_outside_the_scale_are_refused():
    with pytest.raises(ValueError):
        ikm.compute([{"u1": 5}] * 5)

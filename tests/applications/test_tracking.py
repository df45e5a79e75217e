"""Tracking numbers: readable, unique by construction, with a check character, not a visible counter."""

from __future__ import annotations

import re

from app.applications import tracking

FORMAT = re.compile(r"^\d{4}-\d{2}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{3}$")


def test_numbers_are_readable_and_unique_per_region_and_year(app_ctx):
    numbers = [tracking.format_number("7471", 2026, n, "3M") for n in range(1, 5001)]
    assert all(FORMAT.match(number) for number in numbers)
    assert numbers[0].startswith("7471-26-")
    assert len({number.split("-")[2] for number in numbers}) == 5000, "the scrambled sequence is a bijection"
    assert not set("01ILOU") & set("".join(n[8:] for n in numbers))


def test_consecutive_applications_do_not_get_consecutive_looking_numbers(app_ctx):
    a, b = (tracking.format_number("7471", 2026, n, "22").split("-")[2] for n in (41, 42))
    assert sum(x != y for x, y in zip(a, b, strict=True)) >= 2


def test_a_mistyped_character_is_caught_by_the_check_character(app_ctx):
    number = tracking.format_number("3510", 2026, 7, "K7")
    assert tracking.normalize(number) == number
    body = number.replace("-", "")
    for position in range(6, len(body)):
        for replacement in "23456789ABCDEFGHJKMNPQRSTVWXYZ":
            if replacement != body[position]:
                typo = body[:position] + replacement + body[position + 1 :]
                assert tracking.normalize(typo) is None


def test_a_number_typed_loosely_is_understood():
    assert tracking.normalize(" 7471-26-k7qx-3mw ") in (None, "7471-26-K7QX-3MW")
    assert tracking.normalize("not a number") is None
    assert tracking.normalize("") is None


def test_the_database_sequence_counts_per_region_and_year(app_ctx):
    assert [tracking.next_sequence("7471", 2026) for _ in range(3)] == [1, 2, 3]
    assert tracking.next_sequence("3510", 2026) == 1
    assert tracking.next_sequence("7471", 2027) == 1
    first, second = tracking.new_tracking_number("7471", 2026), tracking.new_tracking_number("7471", 2026)
    assert first != second and tracking.normalize(first.lower().replace("-", "")) == first

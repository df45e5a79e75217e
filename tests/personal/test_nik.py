"""NIK and nomor KK: the validation table of domain.md §3.4, and warnings (not errors) on disagreement."""

from __future__ import annotations

import datetime as dt

import pytest

from app.personal.nik import InvalidNumber, mask_number, parse_kk_number, parse_nik
from app.personal.profile import check_profile, nik_warnings

TODAY = dt.date(2026, 11, 22)


def test_a_valid_male_nik_gives_sex_birth_date_and_region():
    info = parse_nik("3510011708900001", today=TODAY)
    assert info.sex == "L"
    assert info.birth_date == dt.date(1990, 8, 17)
    assert (info.province_code, info.regency_code, info.district_code) == ("35", "3510", "351001")


def test_a_valid_female_nik_has_forty_added_to_the_day():
    info = parse_nik("3471025712050003", today=TODAY)
    assert info.sex == "P"
    assert info.birth_date == dt.date(2005, 12, 17)


def test_two_digit_years_after_this_year_belong_to_the_previous_century():
    assert parse_nik("7471010101300001", today=TODAY).birth_date == dt.date(1930, 1, 1)
    assert parse_nik("7471010101260001", today=TODAY).birth_date == dt.date(2026, 1, 1)
    # later this year than today: cannot be born yet, so 1926
    assert parse_nik("7471011512260001", today=TODAY).birth_date == dt.date(1926, 12, 15)


def test_separators_people_paste_are_ignored():
    assert parse_nik("3510 0117 0890 0001", today=TODAY).nik == "3510011708900001"


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("351001170890000", "16 angka"),  # 15 digits
        ("35100117089000011", "16 angka"),  # 17 digits
        ("", "16 angka"),
        ("3510O11708900001", "angka"),  # letter O instead of zero
        ("35100117089000a1", "angka"),
        ("9910011708900001", "provinsi"),  # 99 is no province
        ("2010011708900001", "provinsi"),
        ("3500011708900001", "kabupaten/kota"),
        ("3510001708900001", "kecamatan"),
        ("3510013208900001", "tanggal"),  # day 32
        ("3510010008900001", "tanggal"),  # day 00
        ("3510017208900001", "tanggal"),  # day 72 (women: 41–71)
        ("3510011713900001", "bulan"),  # month 13
        ("3510011700900001", "bulan"),  # month 00
        ("3510011708900000", "0000"),  # serial 0000
        ("3510013002900001", "tanggal lahir"),  # 30 February
    ],
)
def test_an_invalid_nik_is_refused_with_an_indonesian_message(app, nik, message):
    with app.test_request_context("/"):
        with pytest.raises(InvalidNumber) as refused:
            parse_nik(nik, today=TODAY)
        assert message.lower() in str(refused.value.message).lower()


def test_every_known_province_including_the_new_papua_provinces_is_accepted():
    for province in ["11", "19", "21", "31", "36", "51", "53", "61", "65", "71", "76", "81", "82", "91", "96"]:
        assert parse_nik(f"{province}10011708900001", today=TODAY).province_code == province


def test_a_kk_number_needs_sixteen_digits_and_a_real_region_prefix(app):
    assert parse_kk_number("3510 0120 0115 0004") == "3510012001150004"
    with app.test_request_context("/"):
        for bad, message in [
            ("351001200115000", "16 angka"),
            ("9910012001150004", "provinsi"),
            ("3510002001150004", "kecamatan"),
            ("35100120011500x4", "angka"),
        ]:
            with pytest.raises(InvalidNumber) as refused:
                parse_kk_number(bad)
            assert message in str(refused.value.message).lower()


def test_a_nik_that_disagrees_with_the_stated_sex_and_birth_date_is_a_warning_not_an_error(app):
    with app.test_request_context("/"):
        check = check_profile(
            {"nik": "3510011708900001", "full_name": "Siti", "sex": "P", "birth_date": "1990-08-18"}, today=TODAY
        )
        assert check.ok, check.errors
        warnings = nik_warnings(nik=check.clean["nik"], sex=check.clean["sex"], birth_date=check.clean["birth_date"])
    assert len(warnings) == 2
    assert "laki-laki" in warnings[0] and "perempuan" in warnings[0]
    assert "17-08-1990" in warnings[1] and "18-08-1990" in warnings[1]


def test_a_nik_that_agrees_gives_no_warning(app):
    with app.test_request_context("/"):
        assert nik_warnings(nik="3510011708900001", sex="L", birth_date=dt.date(1990, 8, 17)) == []


def test_numbers_are_masked_to_their_first_and_last_four_digits():
    assert mask_number("3510011708900001") == "3510••••••••0001"
    assert mask_number(None) == ""

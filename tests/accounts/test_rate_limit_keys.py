"""Issue 9.2: the per-address limits count the address the view acts on, whatever extra fields the request carries.

The attack, as found: every request carries one more field, ``email=decoy-N``, and the limiter counted the decoy
while the view went on guessing codes for (or mailing) the real address — 8 of 8 guesses, 6 of 6 recovery mails
where 5 and 3 are the limits. Here each endpoint is hit the same way, with a fresh decoy on every request.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def siti(make_user):
    return make_user("Siti Rahayu", email="siti@contoh.id")


def _decoy(n: int) -> str:
    return f"decoy-{n}@contoh.id"


def test_email_code_guesses_stop_at_five_whatever_the_decoy_field(client, mailbox, siti):
    assert client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id"}).status_code == 303
    for n in range(5):
        wrong = client.post("/masuk/pemulihan/kode-email", data={"ec-code": "000000", "email": _decoy(n)})
        assert wrong.status_code == 400, n
    limited = client.post("/masuk/pemulihan/kode-email", data={"ec-code": "000000", "email": _decoy(99)})
    assert limited.status_code == 429
    assert "Terlalu banyak percobaan" in limited.get_data(as_text=True)


def test_the_email_code_step_tries_only_the_address_this_browser_asked_a_code_for(client, mailbox, siti):
    """A typed address plays no part: without a code request in this session there is nothing to guess."""
    response = client.post("/masuk/pemulihan/kode-email", data={"ec-email": "siti@contoh.id", "ec-code": "000000"})
    assert response.status_code == 303 and response.headers["Location"] == "/masuk/pemulihan"


def test_recovery_mails_stop_at_three_whatever_the_decoy_field(client, mailbox, siti):
    for n in range(3):
        sent = client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id", "email": _decoy(n)})
        assert sent.status_code == 303, n
    limited = client.post("/masuk/pemulihan/email", data={"em-email": "siti@contoh.id", "email": _decoy(99)})
    assert limited.status_code == 429
    assert len(mailbox.messages("siti@contoh.id")) == 3


def test_recovery_code_guesses_stop_at_five_whatever_the_decoy_field(client, siti):
    data = {"rc-email": "siti@contoh.id", "rc-code": "AAAA-BBBB-CC"}
    for n in range(5):
        assert client.post("/masuk/pemulihan/kode-pemulihan", data={**data, "email": _decoy(n)}).status_code == 400
    assert client.post("/masuk/pemulihan/kode-pemulihan", data={**data, "email": _decoy(99)}).status_code == 429
    # The count is per address: another citizen behind the same IP (CGNAT, the MPP's Wi-Fi) is not locked out.
    other = {"rc-email": "budi@contoh.id", "rc-code": "AAAA-BBBB-CC"}
    assert client.post("/masuk/pemulihan/kode-pemulihan", data=other).status_code == 400


def _start_sign_up(client, email: str = "rani@contoh.id"):
    response = client.post("/daftar", data={"display_name": "Rani Wulandari", "email": email, "phone": ""})
    assert response.status_code == 303 and response.headers["Location"] == "/daftar/kode"


def test_sign_up_code_guesses_stop_at_five_whatever_the_decoy_field(client, mailbox):
    _start_sign_up(client)
    for n in range(5):
        wrong = client.post("/daftar/kode", data={"code": "000000", "email": _decoy(n)})
        assert wrong.status_code == 400, n
    assert client.post("/daftar/kode", data={"code": "000000", "email": _decoy(99)}).status_code == 429


def test_sign_up_code_resends_stop_at_three_whatever_the_decoy_field(client, mailbox):
    _start_sign_up(client)
    for n in range(3):
        assert client.post("/daftar/kode/kirim-ulang", data={"email": _decoy(n)}).status_code == 303, n
    assert client.post("/daftar/kode/kirim-ulang", data={"email": _decoy(99)}).status_code == 429
    assert len(mailbox.messages("rani@contoh.id")) == 1 + 3  # step 1's mail and three new codes, no more

"""Issue 9.3: a recovery-code attempt does the same argon2 work whether or not the address has an account.

Time itself is measured in bench/recovery_timing.py (timings jitter on a shared machine: no timed assertion here).
This test pins the cause deterministically: it counts the argon2 verifications each HTTP attempt makes.
"""

from __future__ import annotations

import pytest

from app.accounts import recovery


@pytest.fixture
def verifications(monkeypatch):
    """Counts every argon2 verification the recovery module makes (the real verification still runs)."""
    calls = []

    class CountingHasher:
        def __init__(self, real):
            self.real = real

        def verify(self, code_hash, secret):
            calls.append(code_hash)
            return self.real.verify(code_hash, secret)

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(recovery, "_hasher", CountingHasher(recovery._hasher))
    return calls


@pytest.fixture
def siti_codes(flows, authenticator, client):
    flows.sign_up(authenticator)
    codes = [li.get_text(strip=True) for li in client.get_page("/akun/kode-pemulihan").select(".recovery-codes li")]
    flows.sign_out()
    return codes


def _attempt(client, email: str, code: str):
    return client.post("/masuk/pemulihan/kode-pemulihan", data={"rc-email": email, "rc-code": code})


def test_a_registered_and_an_unknown_address_cost_the_same_number_of_argon2_checks(client, siti_codes, verifications):
    assert _attempt(client, "siti@contoh.id", "AAAA-BBBB-CC").status_code == 400
    registered = len(verifications)
    verifications.clear()
    assert _attempt(client, "tidak-ada@contoh.id", "AAAA-BBBB-CC").status_code == 400
    unknown = len(verifications)
    assert registered == unknown == recovery.RECOVERY_CODE_COUNT


def test_the_count_does_not_depend_on_how_many_codes_are_left_or_whether_one_matches(
    app, client, siti_codes, verifications
):
    from tests.helpers import PageClient

    for code in siti_codes[:3]:  # three codes spent: seven left
        fresh = PageClient(app.test_client())
        verifications.clear()
        assert _attempt(fresh, "siti@contoh.id", code).status_code == 303  # the match is made, and still
        assert len(verifications) == recovery.RECOVERY_CODE_COUNT  # every slot was checked
    verifications.clear()
    assert _attempt(client, "siti@contoh.id", "AAAA-BBBB-CC").status_code == 400
    assert len(verifications) == recovery.RECOVERY_CODE_COUNT

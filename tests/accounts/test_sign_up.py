"""Sign-up proves the e-mail address with a code, and never tells anyone whether an address already has an account."""

from __future__ import annotations

import datetime as dt
import logging
import re

from sqlalchemy import func, select, update

from app.accounts import recovery
from app.accounts.models import EmailCode, EmailCodePurpose, User
from app.database import utcnow
from app.extensions import db, limiter

from ..helpers import PageClient
from .flows import CODE

FORM = {"display_name": "Rani Wulandari", "email": "rani@contoh.id", "phone": "081234567890"}


def _normalised(body: bytes) -> bytes:
    """A page with its per-session CSRF token and per-request CSP nonce blanked out."""
    body = re.sub(rb'(name="csrf_token" type="hidden" value=")[^"]+', rb"\1-", body)
    body = re.sub(rb'(name="csrf_token" value=")[^"]+', rb"\1-", body)
    body = re.sub(rb'(name="csrf-token" content=")[^"]+', rb"\1-", body)
    return re.sub(rb'nonce="[^"]+"', b'nonce="-"', body)


def _walk_sign_up(app) -> list[tuple[int, str | None, bytes]]:
    """A fresh browser: the form, the code page, and a wrong code. What it saw at each step."""
    client = PageClient(app.test_client())
    seen = []
    for response in (
        client.post("/daftar", data=FORM),
        client.get("/daftar/kode"),
        client.post("/daftar/kode", data={"code": "000000"}),
        client.get("/daftar/passkey"),
    ):
        seen.append((response.status_code, response.headers.get("Location"), _normalised(response.get_data())))
    return seen


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_registered_address_gets_byte_identical_answers_to_a_new_one(app, make_user, mailbox):
    as_new = _walk_sign_up(app)
    make_user("Rani Wulandari", email="rani@contoh.id")
    with app.app_context():
        limiter.reset()
    as_registered = _walk_sign_up(app)
    assert [step[:2] for step in as_new] == [
        (303, "/daftar/kode"),
        (200, None),
        (400, None),
        (303, "/daftar/kode"),  # no passkey step without the right code
    ]
    assert as_registered == as_new
    assert 'Kami telah mengirim kode 6 angka ke <strong class="sent-to">rani@contoh.id</strong>' in (
        as_new[1][2].decode()
    )


def test_a_new_address_gets_a_code_and_a_registered_one_gets_told_someone_tried(app, make_user, mailbox):
    make_user("Budi Santoso", email="budi@contoh.id")
    PageClient(app.test_client()).post("/daftar", data={**FORM, "email": "budi@contoh.id"})
    PageClient(app.test_client()).post("/daftar", data=FORM)

    new = mailbox.latest("rani@contoh.id")
    assert new["Subject"] == "Kode pendaftaran MPP Digital Anda"
    assert "Halo Rani Wulandari" in mailbox.body(new) and CODE.search(mailbox.body(new))

    notice = mailbox.latest("budi@contoh.id")
    body = mailbox.body(notice)
    assert notice["Subject"] == "Seseorang mencoba membuat akun MPP Digital dengan e-mail Anda"
    assert "Halo Budi Santoso" in body, "greets the account holder, not the name a stranger typed"
    assert not CODE.search(body), "no code that could make a second account"
    origin = app.config["PUBLIC_ORIGIN"]
    assert f"{origin}/masuk\n" in body and f"{origin}/masuk/pemulihan" in body
    # the same work on both paths: one code row (hashed) per request
    assert _count(app, EmailCode, EmailCode.purpose == EmailCodePurpose.SIGN_UP) == 2
    with app.app_context():
        assert all(h.startswith("$argon2id$") for h in db.session.scalars(select(EmailCode.code_hash)))


def test_the_code_page_says_where_the_code_went_and_why(client, mailbox):
    client.post("/daftar", data=FORM)
    page = client.get_page("/daftar/kode")
    text = page.get_text(" ", strip=True)
    assert "Kami telah mengirim kode 6 angka ke rani@contoh.id" in text
    assert "memulihkan akun" in text  # the plain sentence: this proves the recovery e-mail works
    code = page.find("input", {"name": "code"})
    assert code["autocomplete"] == "one-time-code" and code["inputmode"] == "numeric"


def test_the_right_code_opens_the_passkey_step_and_no_account_exists_yet(app, client, flows, mailbox):
    flows.submit_sign_up_form(email="rani@contoh.id")
    assert client.get("/daftar/passkey").headers["Location"] == "/daftar/kode"
    refused = flows.post_json("/daftar/passkey/opsi")
    assert refused.status_code == 400 and "kode" in refused.get_json()["error"]
    response = flows.enter_code(mailbox.code("rani@contoh.id"))
    assert response.status_code == 303 and response.headers["Location"] == "/daftar/passkey"
    page = client.get_page("/daftar/passkey")
    assert "rani@contoh.id" in page.get_text()
    assert flows.post_json("/daftar/passkey/opsi").status_code == 200
    assert _count(app, User) == 0


def test_a_code_works_once(app, mailbox):
    with app.test_request_context():
        recovery.send_sign_up_code("rani@contoh.id", display_name="Rani")
        code = mailbox.code("rani@contoh.id")
        assert recovery.use_sign_up_code("rani@contoh.id", code)
        assert not recovery.use_sign_up_code("rani@contoh.id", code)


def test_a_used_or_replaced_code_is_refused_and_the_newest_works(client, flows, mailbox):
    flows.submit_sign_up_form(email="rani@contoh.id")
    first = mailbox.code("rani@contoh.id")
    assert flows.enter_code(first).status_code == 303
    flows.submit_sign_up_form(email="rani@contoh.id")  # starts over: a new code, not yet proven
    replay = client.post_page("/daftar/kode", data={"code": first}, expected_status=400)
    assert "salah atau sudah kedaluwarsa" in replay.find(id="code-error").get_text()
    client.post("/daftar/kode/kirim-ulang")
    second = mailbox.code("rani@contoh.id")
    assert len(mailbox.messages("rani@contoh.id")) == 3
    assert flows.enter_code(second).status_code == 303


def test_an_expired_code_is_refused_and_what_was_typed_stays(app, client, flows, mailbox):
    flows.submit_sign_up_form(email="rani@contoh.id")
    code = mailbox.code("rani@contoh.id")
    with app.app_context():
        db.session.execute(update(EmailCode).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    page = client.post_page("/daftar/kode", data={"code": code}, expected_status=400)
    field = page.find("input", {"name": "code"})
    assert field["value"] == code and field["aria-invalid"] == "true"
    assert "code-error" in field["aria-describedby"]
    assert page.select_one(".error-summary a[href='#code']")


def test_a_malformed_code_gets_a_message_next_to_the_field(client, flows):
    flows.submit_sign_up_form(email="rani@contoh.id")
    page = client.post_page("/daftar/kode", data={"code": "12ab"}, expected_status=400)
    assert page.find(id="code-error").get_text(strip=True) == "Kode terdiri dari 6 angka."
    assert page.find("input", {"name": "code"})["value"] == "12ab"


def test_five_wrong_codes_void_the_code(app, mailbox):
    with app.test_request_context():
        recovery.send_sign_up_code("rani@contoh.id", display_name="Rani")
        code = mailbox.code("rani@contoh.id")
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(recovery.EMAIL_CODE_MAX_ATTEMPTS):
            assert not recovery.use_sign_up_code("rani@contoh.id", wrong)
        assert not recovery.use_sign_up_code("rani@contoh.id", code)
        row = db.session.scalar(select(EmailCode))
        assert row.used_at is not None and row.attempts == recovery.EMAIL_CODE_MAX_ATTEMPTS


def test_wrong_codes_are_rate_limited_per_address_with_a_clear_page(client, flows, mailbox):
    flows.submit_sign_up_form(email="rani@contoh.id")
    code = mailbox.code("rani@contoh.id")
    for _ in range(5):
        assert flows.enter_code("999999" if code != "999999" else "111111").status_code == 400
    page = client.post_page("/daftar/kode", data={"code": code}, expected_status=429)
    assert "Terlalu banyak percobaan" in page.get_text()


def test_changing_the_email_shows_what_was_typed_before(client, flows, mailbox):
    client.post("/daftar", data={**FORM, "purposes": ["notifikasi"]})
    page = client.get_page("/daftar")
    assert page.find("input", {"name": "display_name"})["value"] == "Rani Wulandari"
    assert page.find("input", {"name": "email"})["value"] == "rani@contoh.id"
    assert page.find("input", {"name": "phone"})["value"] == "081234567890"
    notify = page.find("input", {"name": "purposes", "value": "notifikasi"})
    assert notify is None or notify.has_attr("checked")


def test_without_a_pending_sign_up_the_code_page_sends_back_to_the_form(client):
    response = client.get("/daftar/kode")
    assert response.status_code == 303 and response.headers["Location"] == "/daftar"
    page = client.get_page("/daftar")
    assert "kedaluwarsa" in page.select_one(".notice").get_text()
    assert client.post("/daftar/kode", data={"code": "123456"}).headers["Location"] == "/daftar"
    assert client.post("/daftar/kode/kirim-ulang").headers["Location"] == "/daftar"


def test_sign_up_mails_to_one_address_are_capped_per_day_but_typos_do_not_count(app, mailbox):
    def from_ip(number: int) -> PageClient:  # CGNAT or not: the daily cap is on the address alone
        raw = app.test_client()
        raw.environ_base["REMOTE_ADDR"] = f"10.0.0.{number}"
        return PageClient(raw)

    typo = from_ip(1).post("/daftar", data={**FORM, "phone": "12"})
    assert typo.status_code == 400
    for number in range(10):
        assert from_ip(number).post("/daftar", data=FORM).status_code == 303
    assert from_ip(99).post("/daftar", data=FORM).status_code == 429
    assert len(mailbox.messages("rani@contoh.id")) == 10
    assert from_ip(99).post("/daftar", data={**FORM, "email": "lain@contoh.id"}).status_code == 303


def test_the_sign_up_code_arrives_over_smtp_and_is_never_logged(app, client, flows, smtp_server, caplog):
    caplog.set_level(logging.INFO)
    flows.submit_sign_up_form(email="rani@contoh.id")
    assert [envelope.rcpt_tos for envelope in smtp_server.messages] == [["rani@contoh.id"]]
    code = flows.mailbox.code("rani@contoh.id")
    assert not any(code in record.getMessage() for record in caplog.records)
    assert flows.enter_code(code).headers["Location"] == "/daftar/passkey"


# --- where the citizen was going survives the whole sign-up ------------------------------------------------------

APPLY = "/layanan/ktp-el-hilang-rusak/ajukan"
UNSAFE_NEXT = ["//evil.example/ajukan", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "ajukan"]


def _continue_href(client) -> str:
    """Where "Saya sudah menyimpan kode" (a POST that ends the showing of the codes) leads."""
    page = client.get_page("/akun/kode-pemulihan")
    assert page.select(".recovery-codes li"), "the codes are shown on the first visit"
    form = page.find("button", string=re.compile("Saya sudah menyimpan kode")).find_parent("form")
    response = client.post(form["action"])
    assert response.status_code == 303
    return response.headers["Location"]


def test_the_sign_in_page_offers_sign_up_towards_the_same_target(client):
    page = client.get_page(f"/masuk?next={APPLY}")
    assert page.find("a", string="Daftar akun")["href"] == f"/daftar?next={APPLY}"
    form = client.get_page(f"/daftar?next={APPLY}")
    assert form.select_one("main").find("input", {"name": "next"})["value"] == APPLY
    back = form.select_one("main").find("a", string="Masuk")["href"]
    assert back == f"/masuk?next={APPLY}"


def test_after_sign_up_the_citizen_continues_to_the_page_they_started_from(client, flows, authenticator):
    flows.sign_up(authenticator, next_url=APPLY)
    assert _continue_href(client) == APPLY
    # Once the codes are confirmed saved they are gone: a reload (or new codes later) leads to the account again.
    page = client.get_page("/akun/kode-pemulihan")
    assert not page.select(".recovery-codes li")


def test_the_target_survives_a_form_error_and_a_change_of_e_mail(client, flows):
    page = client.post_page("/daftar", data={"display_name": "", "email": "x", "next": APPLY}, expected_status=400)
    assert page.select_one("main").find("input", {"name": "next"})["value"] == APPLY
    flows.submit_sign_up_form(email="rani@contoh.id", next_url=APPLY)
    # "Ganti e-mail" links to /daftar without ?next=: the pending sign-up remembers it.
    again = client.get_page("/daftar")
    assert again.select_one("main").find("input", {"name": "next"})["value"] == APPLY


def test_the_target_survives_a_change_of_e_mail_when_the_form_is_sent_again(client, flows, authenticator):
    flows.submit_sign_up_form(email="rani@contoh.id", next_url=APPLY)
    hidden = client.get_page("/daftar").select_one("main").find("input", {"name": "next"})["value"]
    flows.sign_up(authenticator, email="rani.w@contoh.id", next_url=hidden)
    assert _continue_href(client) == APPLY


def test_an_unsafe_target_is_dropped_at_every_step(client, flows, authenticator):
    for target in UNSAFE_NEXT:
        sign_in = client.get_page("/masuk", query_string={"next": target})
        assert sign_in.find("a", string="Daftar akun")["href"] == "/daftar"
        form = client.get_page("/daftar", query_string={"next": target})
        assert form.select_one("main").find("input", {"name": "next"}) is None
    flows.sign_up(authenticator, next_url="//evil.example/ajukan")
    assert _continue_href(client) == "/akun"


def test_an_unsafe_target_stored_in_a_pending_sign_up_is_still_refused(app, client, flows, authenticator):
    """Defence in depth: even a bad value in the pending row (an older release, a bug) never becomes a redirect."""
    options = flows.start_sign_up(next_url=APPLY)
    with app.app_context():
        from app.accounts.models import WebAuthnChallenge

        for row in db.session.scalars(select(WebAuthnChallenge)):
            row.payload = {**row.payload, "next": "https://evil.example/"}
        db.session.commit()
    response = flows.post_json("/daftar/passkey/verifikasi", authenticator.create(options))
    assert response.status_code == 200
    assert _continue_href(client) == "/akun"


def test_a_signed_in_citizen_opening_sign_up_goes_on_to_a_safe_target_only(client, flows, authenticator):
    flows.sign_up(authenticator)
    assert client.get(f"/daftar?next={APPLY}").headers["Location"] == APPLY
    assert client.get("/daftar?next=//evil.example").headers["Location"] == "/akun"

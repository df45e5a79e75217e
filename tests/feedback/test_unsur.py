"""An MPP's own survey unsur and weights (PermenPANRB 14/2017 allows both when the weights sum to exactly 1): read
exactly, refused with a message next to the field otherwise, stored per MPP, audited, asked in the survey and used
in that MPP's IKM on the officer page and on /kinerja."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.backoffice.models import AuditAction, AuditEntry
from app.catalog.models import Mpp
from app.extensions import db
from app.feedback import ikm, performance, periods, surveys, unsur
from app.feedback.models import SurveyInvitation, SurveyResponse, SurveyUnsur

from .conftest import move, submit_application
from .test_performance import _served

NINE = {f"bobot_u{i}": "1/9" for i in range(1, 10)}


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.MPP_ADMIN, agency=None, name="Admin Survei")


def kendari_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Mpp.id).where(Mpp.slug == "kota-kendari"))


# --- reading weights exactly -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "exact"),
    [
        ("1/9", Fraction(1, 9)),
        ("0.1", Fraction(1, 10)),
        ("0,25", Fraction(1, 4)),
        ("12.5%", Fraction(1, 8)),
        (" 3 / 20 ", Fraction(3, 20)),
        ("abc", None),
        ("1/0", None),
        ("", None),
        ("1e-3", None),
    ],
)
def test_weights_are_read_exactly_or_not_at_all(typed, exact):
    assert unsur.parse_weight(typed) == exact


def test_a_stored_weight_is_written_back_as_the_admin_would_type_it():
    assert [unsur.show_weight(w) for w in (Fraction(1, 9), Fraction(1, 10), Fraction(1, 4), Fraction(1))] == [
        "1/9",
        "0.1",
        "0.25",
        "1",
    ]


def test_nine_weights_of_0_11_are_refused_with_the_exact_sum(app):
    form = unsur.UnsurForm(weights={f"u{i}": "0.11" for i in range(1, 10)})
    with app.test_request_context():
        errors, _weights = unsur.validate(form)
    assert set(errors) == {"jumlah"} and "99/100" in errors["jumlah"] and "0,99" in errors["jumlah"]


def test_a_regulation_unsur_cannot_be_dropped_and_an_added_one_needs_name_question_and_weight(app):
    weights = {f"u{i}": "1/9" for i in range(1, 10)} | {"u9": "0", "x1": "0.1"}
    form = unsur.UnsurForm(weights=weights, names={"x1": ""}, questions={"x1": ""})
    with app.test_request_context():
        errors, _weights = unsur.validate(form)
    assert set(errors) == {"bobot_u9", "nama_x1", "pertanyaan_x1"}


# --- the admin page ----------------------------------------------------------------------------------------------


def test_the_mpp_admin_sets_weights_and_an_own_unsur_and_the_change_is_audited(app, client, signed_in, admin, demo):
    signed_in(client, admin)
    page = client.get_page("/petugas/survei/unsur")
    assert page.select_one("#f-bobot_u1")["value"] == "1/9"
    data = {f"bobot_u{i}": "1/12" for i in range(1, 10)} | {
        "bobot_u3": "1/4",  # completion time counts three times as much
        "nama_x1": "Kebersihan toilet",
        "pertanyaan_x1": "Bagaimana kebersihan toilet di MPP?",
        "bobot_x1": "1/12",
    }  # 8 × 1/12 + 1/4 + 1/12 = 1
    response = client.post("/petugas/survei/unsur", data=data)
    assert response.status_code == 303
    with app.app_context():
        stored = {row.code: row.weight for row in db.session.scalars(select(SurveyUnsur))}
        assert stored["u3"] == "1/4" and stored["x1"] == "1/12" and len(stored) == 10
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == AuditAction.SURVEY_UNSUR))
        assert entry.mpp_id == kendari_id(app) and "u3=1/4" in entry.reason and "Kebersihan toilet" in entry.reason
    again = client.get_page("/petugas/survei/unsur")
    assert again.select_one("#f-bobot_u3")["value"] == "0.25"
    assert again.select_one("#f-nama_x1")["value"] == "Kebersihan toilet"


def test_weights_that_do_not_sum_to_one_are_shown_next_to_the_fields_and_nothing_is_stored(
    app, client, signed_in, admin, demo
):
    signed_in(client, admin)
    data = {f"bobot_u{i}": "0.11" for i in range(1, 10)} | {"bobot_u2": "x"}
    page = client.post_page("/petugas/survei/unsur", data=data)
    assert page.select_one("#f-bobot_u2")["aria-invalid"] == "true"
    assert page.select_one("#f-bobot_u2")["value"] == "x"  # what was typed is kept
    page = client.post_page("/petugas/survei/unsur", data={f"bobot_u{i}": "0.11" for i in range(1, 10)})
    assert "99/100" in page.select_one("#f-jumlah-error").get_text()
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyUnsur.id))) == 0


def test_setting_the_regulation_weights_again_removes_the_mpp_rows(app, client, signed_in, admin, demo):
    signed_in(client, admin)
    client.post("/petugas/survei/unsur", data=NINE | {"bobot_u1": "2/9", "bobot_u2": "0"})  # refused: u2 is 0
    client.post("/petugas/survei/unsur", data={f"bobot_u{i}": "1/10" for i in range(1, 9)} | {"bobot_u9": "2/10"})
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyUnsur.id))) == 9
    client.post("/petugas/survei/unsur", data=NINE)
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyUnsur.id))) == 0
        assert unsur.for_mpp(kendari_id(app)) is unsur.REGULATION


def test_officers_and_admins_of_another_mpp_cannot_change_these_weights(app, client, signed_in, make_staff, demo):
    officer_user = make_staff(Role.OFFICER, name="Petugas Biasa")
    signed_in(client, officer_user)
    assert client.get("/petugas/survei/unsur").status_code == 404
    assert client.post("/petugas/survei/unsur", data=NINE).status_code == 404
    other = make_staff(Role.MPP_ADMIN, mpp="kota-batam", agency=None, name="Admin Batam")
    signed_in(client, other)
    data = {f"bobot_u{i}": "1/10" for i in range(1, 9)} | {"bobot_u9": "1/5", "mpp": str(kendari_id(app))}
    client.post(f"/petugas/survei/unsur?mpp={kendari_id(app)}", data=data)  # not theirs: their own MPP is meant
    with app.app_context():
        assert unsur.for_mpp(kendari_id(app)) is unsur.REGULATION
        mpps = {row.mpp_id for row in db.session.scalars(select(SurveyUnsur))}
        assert kendari_id(app) not in mpps and len(mpps) == 1


# --- used in the survey and the IKM ------------------------------------------------------------------------------


def _set(app, kendari: int, weights: dict[str, str], **extra) -> None:
    with app.test_request_context():
        from app.accounts.models import User

        actor = db.session.scalar(select(User).where(User.role == Role.MPP_ADMIN))
        form = unsur.UnsurForm(weights=weights, names=extra.get("names", {}), questions=extra.get("questions", {}))
        assert unsur.save(kendari, form, actor) == {}


def test_an_added_unsur_is_asked_in_the_survey_and_counted_in_the_ikm(
    app, client, citizen, signed_in, officer, admin, demo
):
    kendari = kendari_id(app)
    weights = {f"u{i}": "1/10" for i in range(1, 10)} | {"x1": "1/10"}
    _set(app, kendari, weights, names={"x1": "Kebersihan"}, questions={"x1": "Seberapa bersih ruang layanan?"})
    number = submit_application(app, citizen)
    move(app, number, officer, performance_status("COMPLETED"))
    with app.app_context():
        token = db.session.scalar(select(SurveyInvitation.token))
        from app.notifications.models import EmailOutbox

        mail = db.session.scalar(select(EmailOutbox).where(EmailOutbox.what == "survey invitation"))
        assert "10 pertanyaan singkat" in mail.body  # the invitation counts the MPP's own questions too
    signed_in(client, citizen)
    assert "Jawab 10 pertanyaan singkat" in client.get_page("/notifikasi").get_text(" ")
    page = client.get_page(f"/survei/{token}")
    legends = [legend.get_text(" ", strip=True) for legend in page.select("fieldset.survey-question legend")]
    assert len(legends) == 10 and "Seberapa bersih ruang layanan?" in legends[9]
    assert "10 pertanyaan singkat" in page.get_text()
    answers = {f"u{i}": "4" for i in range(1, 10)} | {"x1": "1"}
    assert client.post(f"/survei/{token}", data=answers).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(SurveyResponse.x1)) == 1


def performance_status(name):
    from app.applications.models import ApplicationStatus

    return ApplicationStatus[name]


def test_the_mpp_weights_change_its_ikm_on_kinerja_and_the_officer_page(
    app, client, signed_in, make_user, officer, admin, demo
):
    _served(app, make_user, officer, 5)  # every unsur answered 3
    with app.app_context():
        for response in db.session.scalars(select(SurveyResponse)):  # u1 = 4 for all, the rest stay 3
            response.u1 = 4
        db.session.commit()
    kendari = kendari_id(app)
    with app.app_context():
        before = next(r for r in performance.table(periods.current_quarter()) if r.key == kendari)
        # exactly (4 + 8 × 3) / 9 × 25 = 77.777…
        assert before.ikm.score == Fraction(28, 9) * 25
    _set(app, kendari, {f"u{i}": "1/16" for i in range(2, 10)} | {"u1": "1/2"})
    with app.app_context():
        after = next(r for r in performance.table(periods.current_quarter()) if r.key == kendari)
        assert after.ikm.score == (4 * Fraction(1, 2) + 3 * Fraction(1, 2)) * 25  # 87.50
        agencies = performance.table(periods.current_quarter(), by="agency", mpp_id=kendari)
        assert agencies[0].ikm.score == after.ikm.score
        assert after.ikm.score != ikm.compute([{f"u{i}": 3 for i in range(1, 10)} | {"u1": 4}] * 5).score
    signed_in(client, admin)
    page = client.get_page("/petugas/survei")
    assert page.select_one(".ikm-value").get_text(strip=True) == "87,50"
    assert "1/2" in page.select("table")[0].get_text()
    with app.app_context():
        national = surveys.period_results(
            surveys.response_filter(type("S", (), {"national": True})()),
            surveys.invitation_filter(type("S", (), {"national": True})()),
            periods.current_quarter(),
        )
        assert national.result.score == Fraction(28, 9) * 25  # pooled MPPs: the regulation's 1/9 each

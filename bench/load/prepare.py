"""Prepare signed-in load-test people in the database the server under test uses (run with the same environment).

    MPP_DATABASE_URL=… .venv/bin/python bench/load/prepare.py --citizens 300 --officers 20 --out bench/load/people.json

A load test must not spend its budget on passkey ceremonies (a real authenticator cannot be driven by thousands of
simulated users), so the sign-in is prepared here the way the app itself does it: a server-side AuthSession row per
person and the session cookie the app would set, signed with the app's own secret key. Each citizen also gets
``--drafts`` complete drafts of the KTP-el service (every answer valid, the KK chosen from Dokumen Saya, an MPP
picked): the load test autosaves and submits those, exactly as a phone does. Officers are Disdukcapil officers at
MPP Kota Kendari. People made by an earlier run (e-mail ``load-…@contoh.id``) are removed first.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import sqlalchemy as sa  # noqa: E402

SERVICE = "ktp-el-hilang-rusak"
ANSWERS = {
    "nama": "Warga Uji Beban",
    "tempat_lahir": "Kendari",
    "tanggal_lahir": "1990-01-01",
    "jenis_kelamin": "P",
    "alamat.street": "Jl. Ahmad Yani No. 12",
    "alamat.rt": "003",
    "alamat.rw": "004",
    "alamat.village": "Bende",
    "alamat.district": "Kadia",
    "alamat.city": "Kota Kendari",
    "alamat.province": "Sulawesi Tenggara",
    "alamat.postal_code": "93117",
    "no_hp": "081234567890",
    "alasan": "hilang",
    "tanggal_kejadian": "2026-01-05",
    "nomor_laporan": "SKTLK/123/I/2026/Polresta Kendari",
    "keterangan": "",
}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def _nik(i: int) -> str:
    # Kota Kendari (74 71 01), a woman born 1 January 1990 (day + 40), a unique 4-digit serial per person.
    return f"747101410190{(i % 9999) + 1:04d}"


def signed_in_cookie(app, user, agent: str) -> str:
    """A live server-side session for ``user`` (flushed, not committed) and the session cookie the app would set.

    The CSRF secret is part of the session from the start, as after the first page a browser loads: the token
    /luring/token hands out then matches without the server having to set a new cookie."""
    from app.accounts.sessions import start_session
    from app.extensions import db

    start_session(user, user_agent=agent, ip="127.0.0.1")
    db.session.flush()
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "csrf_token": secrets.token_hex(20)})


def use_run_scale_environment() -> dict:
    """The database, Redis and address of the running `make run-scale`, from its state file, unless the environment
    already names them (MPP_DATABASE_URL, MPP_REDIS_URL)."""
    root = Path(__file__).resolve().parent.parent.parent
    state_file = Path(os.environ.get("SCALE_STATE_FILE", root / "instance" / "run-scale.json"))
    if not state_file.exists():
        return {}
    state = json.loads(state_file.read_text())
    os.environ.setdefault("MPP_DATABASE_URL", state["database_url"])
    os.environ.setdefault("MPP_REDIS_URL", state["redis_url"])
    os.environ.setdefault("MPP_INPROCESS_WORKER", "0")
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument(
        "--drafts", type=int, default=3, help="complete drafts per citizen (each can be submitted once)"
    )
    parser.add_argument("--out", default=str(Path(__file__).with_name("people.json")))
    args = parser.parse_args()
    use_run_scale_environment()

    from app import create_app
    from app.accounts.models import Role, User
    from app.applications import drafts
    from app.applications.models import Draft
    from app.backoffice.models import StaffAssignment, StaffRole
    from app.catalog.models import Agency, DocumentType, Mpp, Service
    from app.extensions import db
    from app.personal.documents import store_upload

    app = create_app()
    people: list[dict] = []
    with app.app_context():
        db.session.execute(sa.delete(User).where(User.email.like("load-%@contoh.id")))
        db.session.commit()
        service = db.session.scalar(sa.select(Service).where(Service.slug == SERVICE))
        kendari = db.session.scalar(sa.select(Mpp).where(Mpp.slug == "kota-kendari"))
        dukcapil = db.session.scalar(sa.select(Agency).where(Agency.slug == "disdukcapil"))
        if service is None or kendari is None or dukcapil is None:
            sys.exit("the demo catalog is missing: run the server once (it loads the demo data when empty)")
        png = _png()

        for i in range(args.citizens):
            user = User(
                webauthn_handle=secrets.token_bytes(32), display_name=f"Warga Beban {i}", email=f"load-c{i}@contoh.id"
            )
            db.session.add(user)
            db.session.flush()
            kk = store_upload(user, io.BytesIO(png), DocumentType("kk"))
            first = drafts.start_draft(user, service)
            first.answers = {**ANSWERS, "nik": _nik(i), "dokumen.kk": str(kk.id)}
            first.mpp_id = kendari.id
            ids = [first.public_id]
            for _ in range(args.drafts - 1):  # start_draft resumes the one open draft per service: copy it
                copy = Draft(
                    public_id=str(uuid.uuid4()), user_id=user.id, service_id=service.id,
                    form_definition_id=first.form_definition_id, mpp_id=kendari.id, answers=dict(first.answers),
                    prefilled=list(first.prefilled or []), step=first.step, revision=1, expires_at=first.expires_at,
                )  # fmt: skip
                db.session.add(copy)
                ids.append(copy.public_id)
            people.append({"role": "citizen", "cookie": signed_in_cookie(app, user, "locust"), "drafts": ids})
            if i % 50 == 49:
                db.session.commit()
        for i in range(args.officers):
            user = User(
                webauthn_handle=secrets.token_bytes(32),
                display_name=f"Petugas Beban {i}",
                email=f"load-o{i}@contoh.id",
                role=Role.OFFICER,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                StaffAssignment(user_id=user.id, role=StaffRole.OFFICER, agency_id=dukcapil.id, mpp_id=kendari.id)
            )
            people.append({"role": "officer", "cookie": signed_in_cookie(app, user, "locust")})
        db.session.commit()
        cookie_name = app.config["SESSION_COOKIE_NAME"]
    Path(args.out).write_text(json.dumps({"cookie_name": cookie_name, "people": people}))
    print(f"{args.citizens} citizens ({args.citizens * args.drafts} drafts) and {args.officers} officers → {args.out}")


if __name__ == "__main__":
    main()

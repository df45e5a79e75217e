"""The passkey ceremonies driven through HTTP with the software authenticator (no browser)."""

from __future__ import annotations

import re

from app.accounts.models import User
from app.extensions import db

from .authenticator import SoftAuthenticator


class Flows:
    def __init__(self, app, client):
        self.app = app
        self.client = client

    def csrf_token(self) -> str:
        """The session's CSRF token, read from a small page of ours (the sign-out page)."""
        html = self.client.raw.get("/keluar").get_data(as_text=True)
        return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)

    def post_json(self, url: str, body: dict | None = None):
        return self.client.raw.post(
            url,
            json=body or {},
            headers={"X-CSRFToken": self.csrf_token(), "Origin": "http://localhost"},
        )

    def start_sign_up(self, *, name: str = "Siti Rahayu", email: str = "siti@contoh.id", purposes=()) -> dict:
        response = self.client.post(
            "/daftar", data={"display_name": name, "email": email, "phone": "", "purposes": list(purposes)}
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        options = self.post_json("/daftar/passkey/opsi")
        assert options.status_code == 200, options.get_json()
        return options.get_json()

    def sign_up(self, authenticator: SoftAuthenticator, **kwargs) -> User:
        options = self.start_sign_up(**kwargs)
        response = self.post_json("/daftar/passkey/verifikasi", authenticator.create(options))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["redirect"] == "/akun/kode-pemulihan"
        with self.app.app_context():
            user = db.session.scalar(db.select(User).order_by(User.id.desc()))
            db.session.expunge(user)
        return user

    def sign_in_options(self) -> dict:
        response = self.post_json("/masuk/opsi")
        assert response.status_code == 200
        return response.get_json()

    def sign_in(self, authenticator: SoftAuthenticator, **kwargs):
        return self.post_json("/masuk/verifikasi", authenticator.get(self.sign_in_options(), **kwargs))

    def sign_out(self):
        return self.client.post("/keluar")

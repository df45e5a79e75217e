"""The load: citizens and officers doing what they do, against a running server (see bench/load/run.py).

Citizens browse and search the catalog (varied words, so the page cache does not answer everything), open services
and MPPs, and — signed in with a session prepared by bench/load/prepare.py — read their applications and
notifications, autosave a draft the way a phone does (a JSON PUT with the CSRF token from /luring/token) and
submit it from the check-answers page. Officers work the inbox with its filters and open cases. Every request is
named by its route, not its URL, so the report has one line per endpoint.
"""

from __future__ import annotations

import json
import os
import random
import re
from itertools import count
from pathlib import Path
from urllib.parse import urlparse

from locust import HttpUser, between, task

PEOPLE = json.loads(Path(os.environ.get("MPP_LOAD_PEOPLE", Path(__file__).with_name("people.json"))).read_text())
CITIZENS = [p for p in PEOPLE["people"] if p["role"] == "citizen"]
OFFICERS = [p for p in PEOPLE["people"] if p["role"] == "officer"]
WORDS = ["ktp", "akta", "kelahiran", "paspor", "sim", "skck", "bpjs", "npwp", "nikah", "pindah", "kk", "izin",
         "usaha", "halal", "sertifikat", "tanah", "kematian", "kia", "imigrasi", "pajak"]  # fmt: skip
_next_citizen = count()
_next_officer = count()
HIDDEN = re.compile(r'name="(csrf_token|idempotency_key)"[^>]*value="([^"]+)"')


class Visitor(HttpUser):
    """Anyone, signed in or not: the catalog."""

    abstract = True
    services: list[str] = []
    mpps: list[str] = []

    def on_start(self) -> None:
        self.client.headers["Origin"] = self.host.rstrip("/")
        if not Visitor.services:
            page = self.client.get("/layanan", name="/layanan").text
            Visitor.services = sorted(set(re.findall(r'href="/layanan/([a-z0-9-]+)"', page)))
            Visitor.mpps = sorted(
                set(re.findall(r'href="/mpp/([a-z0-9-]+)"', self.client.get("/mpp", name="/mpp").text))
            )

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="/")

    @task(4)
    def search(self) -> None:
        self.client.get(f"/layanan?q={random.choice(WORDS)}", name="/layanan?q=…")

    @task(4)
    def service(self) -> None:
        if Visitor.services:
            self.client.get(f"/layanan/{random.choice(Visitor.services)}", name="/layanan/<slug>")

    @task(1)
    def mpp(self) -> None:
        if Visitor.mpps:
            self.client.get(f"/mpp/{random.choice(Visitor.mpps)}", name="/mpp/<slug>")


class Citizen(Visitor):
    weight = 9
    wait_time = between(1, 4)

    def on_start(self) -> None:
        super().on_start()
        person = CITIZENS[next(_next_citizen) % len(CITIZENS)]
        # Same domain as the server's own Set-Cookie would have, so a new cookie from it replaces this one.
        self.client.cookies.set(PEOPLE["cookie_name"], person["cookie"], domain=urlparse(self.host).hostname)
        self.drafts = list(person["drafts"])
        self.submitted: list[str] = []

    @task(3)
    def my_applications(self) -> None:
        self.client.get("/permohonan", name="/permohonan")

    @task(2)
    def tracking(self) -> None:
        if self.submitted:
            self.client.get(f"/permohonan/{random.choice(self.submitted)}", name="/permohonan/<nomor>")

    @task(2)
    def notifications(self) -> None:
        self.client.get("/notifikasi", name="/notifikasi")

    @task(4)
    def autosave(self) -> None:
        if not self.drafts:
            return
        draft = self.drafts[0]
        state = self.client.get(f"/permohonan/draf/{draft}", name="/permohonan/draf/<id> (json)")
        token = self.client.get("/luring/token", name="/luring/token")
        if state.status_code != 200 or token.status_code != 200:
            return
        with self.client.put(
            f"/permohonan/draf/{draft}",
            name="/permohonan/draf/<id> (autosave)",
            json={"revision": state.json()["revision"], "answers": {"keterangan": f"catatan {random.random():.6f}"}},
            headers={"X-CSRFToken": token.json()["csrf_token"]},
            catch_response=True,
        ) as response:
            if response.status_code == 410:  # submitted meanwhile (by this person in an earlier step): the phone stops
                self.drafts.remove(draft)
                response.success()

    @task(1)
    def submit(self) -> None:
        if not self.drafts:
            return
        draft = self.drafts.pop(0)
        check = self.client.get(f"/permohonan/draf/{draft}/periksa", name="/permohonan/draf/<id>/periksa")
        fields = dict(HIDDEN.findall(check.text))
        if "idempotency_key" not in fields:
            return
        with self.client.post(
            f"/permohonan/draf/{draft}/periksa",
            name="/permohonan/draf/<id>/periksa (kirim)",
            data={**fields, "pernyataan": "ya"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code == 303 and "/permohonan/" in where:
                self.submitted.append(where.split("/permohonan/")[1].split("?")[0])
                response.success()
            else:
                response.failure(f"submit answered {response.status_code}")


class Officer(HttpUser):
    weight = 1
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.client.headers["Origin"] = self.host.rstrip("/")
        person = OFFICERS[next(_next_officer) % len(OFFICERS)]
        # Same domain as the server's own Set-Cookie would have, so a new cookie from it replaces this one.
        self.client.cookies.set(PEOPLE["cookie_name"], person["cookie"], domain=urlparse(self.host).hostname)

    @task(4)
    def inbox(self) -> None:
        page = self.client.get("/petugas", name="/petugas").text
        self.cases = re.findall(r'href="/petugas/permohonan/([A-Z0-9-]+)"', page)

    @task(2)
    def inbox_filtered(self) -> None:
        query = random.choice(["status=semua", "tenggat=terlambat", "status=diproses", "status=semua&halaman=2"])
        self.client.get(f"/petugas?{query}", name="/petugas?…")

    @task(3)
    def case(self) -> None:
        if getattr(self, "cases", None):
            self.client.get(f"/petugas/permohonan/{random.choice(self.cases)}", name="/petugas/permohonan/<nomor>")

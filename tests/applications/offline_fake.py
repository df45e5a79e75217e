"""A tiny, test-only stand-in for the apply pages, built on the agreed contract, so the device side of offline
drafts can be driven in Chromium on its own: the same URLs (`/permohonan/draf/<id>/<step>`), the same form
attributes, a `PUT /permohonan/draf/<id>` with revisions and 409s that mirrors ``app.applications.drafts.sync_draft``
(replay → no change, stale base → conflict with the server copy), and a submit deduplicated by idempotency key.

The browser tests against the real pages live beside this; this one isolates drafts.js from the form engine.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field

from flask import Blueprint, abort, jsonify, redirect, render_template_string, request
from flask_login import current_user

PAGE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block head %}{% include "device_drafts/head.html" %}{% endblock %}
{% block content %}
<h1>{{ heading }}</h1>
<form method="post" action="{{ action }}" data-draft-id="{{ draft_id }}" data-draft-revision="{{ revision }}"
      data-draft-step="{{ step }}"{% if next_url %} data-next-url="{{ next_url }}"{% endif %} novalidate>
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  {% if step == "data" %}
  <div class="field">
    <label for="nama">Nama lengkap</label>
    <span class="hint" id="nama-hint">Sesuai KTP-el</span>
    <input type="text" id="nama" name="pemohon.nama" value="{{ answers.get('pemohon.nama', '') }}" aria-describedby="nama-hint" required autocomplete="name">
  </div>
  <div class="field">
    <label for="nik">NIK</label>
    <input type="text" id="nik" name="pemohon.nik" value="{{ answers.get('pemohon.nik', '') }}" inputmode="numeric" maxlength="16">
  </div>
  <div class="field">
    <label for="alamat">Alamat</label>
    <textarea id="alamat" name="pemohon.alamat">{{ answers.get('pemohon.alamat', '') }}</textarea>
  </div>
  <fieldset class="field">
    <legend>Jenis kelamin</legend>
    {% for value, label in [("L", "Laki-laki"), ("P", "Perempuan")] %}
    <label class="checkbox" for="jk-{{ value }}"><input type="radio" id="jk-{{ value }}" name="pemohon.jk" value="{{ value }}"{% if answers.get('pemohon.jk') == value %} checked{% endif %}> <span>{{ label }}</span></label>
    {% endfor %}
  </fieldset>
  {% else %}
  <label class="checkbox" for="deklarasi"><input type="checkbox" id="deklarasi" name="deklarasi" value="ya" required> <span>Saya menyatakan data yang saya isi benar.</span></label>
  <input type="hidden" name="idempotency_key" value="{{ idempotency_key }}">
  {% endif %}
  <button type="submit" class="button">{{ button }}</button>
</form>
{% endblock %}
"""

DONE = """{% extends "base.html" %}
{% block title %}Permohonan {{ number }}{% endblock %}
{% block content %}<h1>Permohonan {{ number }}</h1>{% endblock %}
"""

SIGNED_OUT = """{% extends "base.html" %}
{% block title %}Anda sudah keluar{% endblock %}
{% block head %}{% include "device_drafts/forget.html" %}{% endblock %}
{% block content %}<h1>Anda sudah keluar</h1>{% endblock %}
"""


@dataclass
class FakeDraft:
    answers: dict = field(default_factory=dict)
    revision: int = 1
    step: str = "data"
    digest: str | None = None


@dataclass
class FakeServer:
    """What the stand-in server holds; the tests read it directly."""

    drafts: dict[str, FakeDraft] = field(default_factory=dict)
    applications: dict[str, int] = field(default_factory=dict)  # idempotency key -> application number
    submit_posts: int = 0
    puts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.drafts.clear()
            self.applications.clear()
            self.submit_posts = self.puts = 0


def make_blueprint(state: FakeServer) -> Blueprint:
    bp = Blueprint("offline_fake", __name__)

    def own_draft(draft_id: str) -> FakeDraft:
        if not current_user.is_authenticated:
            abort(401)
        draft = state.drafts.get(draft_id)
        if draft is None:
            abort(404)
        return draft

    @bp.get("/permohonan/draf/<draft_id>/<step>")
    def step_page(draft_id, step):
        draft = own_draft(draft_id)
        check = step == "periksa"
        return render_template_string(
            PAGE,
            heading="Periksa dan kirim" if check else "Data pemohon",
            draft_id=draft_id,
            revision=draft.revision,
            step=step,
            answers=draft.answers,
            action=f"/permohonan/draf/{draft_id}/kirim" if check else f"/permohonan/draf/{draft_id}/{step}",
            next_url=None if check else f"/permohonan/draf/{draft_id}/periksa",
            idempotency_key=f"kunci-{draft_id}-0001",
            button="Kirim permohonan" if check else "Lanjut",
        )

    @bp.post("/permohonan/draf/<draft_id>/<step>")
    def save_step(draft_id, step):
        draft = own_draft(draft_id)
        with state.lock:
            for name, value in request.form.items():
                if name.startswith("pemohon."):
                    draft.answers[name] = value
            draft.revision += 1
        return redirect(f"/permohonan/draf/{draft_id}/periksa", code=303)

    @bp.post("/permohonan/draf/<draft_id>/kirim")
    def submit(draft_id):
        own_draft(draft_id)
        key = request.form.get("idempotency_key", "")
        with state.lock:
            state.submit_posts += 1
            if request.form.get("deklarasi") != "ya":
                return render_template_string(DONE, number="belum terkirim"), 200
            number = state.applications.setdefault(key, len(state.applications) + 1)
        return redirect(f"/permohonan/uji-{number}", code=303)

    @bp.get("/permohonan/uji-<int:number>")
    def application(number):
        return render_template_string(DONE, number=number)

    @bp.put("/permohonan/draf/<draft_id>")
    def sync(draft_id):
        draft = own_draft(draft_id)
        body = request.get_json(silent=True) or {}
        base, answers, step = int(body.get("revision", -1)), body.get("answers") or {}, body.get("step") or ""
        digest = hashlib.sha256(json.dumps([base, answers, step], sort_keys=True).encode()).hexdigest()
        with state.lock:
            state.puts += 1
            if draft.digest == digest and draft.revision == base + 1:
                return jsonify(revision=draft.revision, outcome="replayed")
            if base != draft.revision:
                return jsonify(revision=draft.revision, answers=draft.answers, step=draft.step), 409
            draft.answers.update({k: v for k, v in answers.items() if isinstance(v, str)})
            draft.revision += 1
            draft.step = step or draft.step
            draft.digest = digest
            return jsonify(revision=draft.revision, outcome="saved")

    @bp.get("/keluar-uji")
    def signed_out():
        return render_template_string(SIGNED_OUT)

    return bp

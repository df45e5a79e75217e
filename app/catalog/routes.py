from __future__ import annotations

from flask import Blueprint, render_template

from ..security import public_page

bp = Blueprint("catalog", __name__)


@bp.get("/")
@public_page
def home():
    return render_template("catalog/home.html")

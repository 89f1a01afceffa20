"""Harbour's own pages: a public home and a members' page."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    return render_template("home.html")


@bp.get("/members")
@login_required
def members():
    return render_template("members.html", member=current_user)

"""Harbour's sign-in: Flask-Login, a Flask-WTF form, and a ``flask add-member`` command."""

from urllib.parse import urlsplit

import click
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from harbour.models import Member, db

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired("Enter your e-mail.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password.")])


def _local(target: str | None) -> str | None:
    if (
        not target
        or urlsplit(target).netloc
        or not target.startswith("/")
        or target.startswith("//")
    ):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        member = db.session.scalar(select(Member).where(Member.email == email))
        if member is not None and member.check_password(form.password.data):
            login_user(member)
            return redirect(_local(request.args.get("next")) or url_for("pages.members"))
        form.password.errors.append("That e-mail and password do not match a member.")
    return render_template("login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are signed out of Harbour.")
    return redirect(url_for("pages.home"))


@bp.cli.command("add-member", help="Add a Harbour member who signs in with a password.")
@click.argument("email")
@click.argument("name")
@click.password_option()
def add_member(email, name, password):
    member = Member(email=email.strip().lower(), name=name)
    member.set_password(password)
    db.session.add(member)
    db.session.commit()
    click.echo(f"Added {member.email}.")

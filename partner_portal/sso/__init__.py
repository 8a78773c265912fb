"""Single sign-on with OpenID Connect: gemeente staff through its identity provider, partners through eHerkenning."""

from flask import Blueprint

bp = Blueprint("sso", __name__)

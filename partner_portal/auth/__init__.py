"""Accounts and login: log in and out, invitations, password reset, the own profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

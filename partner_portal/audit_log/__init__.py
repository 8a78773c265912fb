"""The audit log for gemeente staff: filter, page through and export the audit trail (read only)."""

from flask import Blueprint

bp = Blueprint("audit_log", __name__)

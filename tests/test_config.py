"""Configuration: production refuses to start without its required settings; seed-demo is guarded."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from partner_portal import demo
from partner_portal.auth import passwords
from partner_portal.auth.models import User
from partner_portal.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _run(args, **env):
    full_env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "APP_ENV", "AUDIT_HMAC_KEY")
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "partner_portal", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PRODUCTION_KEYS = {"SECRET_KEY": "s" * 32, "AUDIT_HMAC_KEY": "k" * 32}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "AUDIT_HMAC_KEY"])
def test_production_without_required_setting_stops_with_one_line(missing, tmp_path):
    env = {"APP_ENV": "production", **PRODUCTION_KEYS, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite"}
    env.pop(missing)
    result = _run(["routes"], **env)
    assert result.returncode != 0
    assert f"the environment variable {missing} must be set" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_demo_is_refused_in_production(tmp_path):
    result = _run(["seed-demo"], APP_ENV="production", **PRODUCTION_KEYS, DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite")
    assert result.returncode != 0
    assert "refuses to run in production" in result.stderr


def test_seed_demo_is_idempotent_and_has_the_documented_accounts(app):
    demo.seed()
    db.session.commit()
    demo.seed()
    db.session.commit()
    emails = set(db.session.scalars(sa.select(User.email)))
    documented = {account[0] for account in demo.ACCOUNTS}
    assert documented <= emails
    assert len(emails) == len(documented)
    readme = (ROOT / "README.md").read_text()
    for email in documented:
        assert f"`{email}`" in readme, f"{email} is not listed in the README"
    admin = db.session.scalar(sa.select(User).filter_by(email="admin@example.org"))
    assert passwords.verify_password(admin.password_hash, demo.DEMO_PASSWORD)
    horeca = db.session.scalar(sa.select(User).filter_by(email="horeca@example.org"))
    assert [g.slug for g in horeca.coordinated_groups] == ["horeca"]
    assert horeca.organisation.primary_sector.slug == "horeca"

"""Command-line commands: demo data, and each feature's own commands."""

import click
from flask import Flask, current_app

from partner_portal.extensions import db


def register(app: Flask) -> None:
    from partner_portal.notifications import commands as mail_commands

    app.cli.add_command(seed_demo)
    mail_commands.register(app)
    app.cli.add_command(workflows)
    app.cli.add_command(audit_group)
    app.cli.add_command(consultations_group)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the Assen demo data (idempotent; refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production (APP_ENV=production).")
    from partner_portal import demo

    summary = demo.seed()
    db.session.commit()
    click.echo(summary)


@click.command("workflows")
def workflows() -> None:
    """Print every workflow table as a Mermaid state diagram (the README embeds this output)."""
    from partner_portal.core.workflow import workflows_markdown

    click.echo(workflows_markdown())


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit trail; exit 1 naming the first broken event."""
    import sqlalchemy as sa

    from partner_portal.core.audit import AuditEvent, verify_chain

    broken = verify_chain()
    if broken is not None:
        raise click.ClickException(
            f"audit trail broken at event {broken.id}: it was altered, or an event before it was removed"
        )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    click.echo(f"audit trail intact: {count} events")


@click.group("consultations")
def consultations_group() -> None:
    """Consultations: load a new city or round from a data file."""


@consultations_group.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--featured/--not-featured", default=None, help="Put it on the home page (default: if none is).")
@click.option("--as", "actor_email", default=None, help="E-mail of the process manager recorded as its author.")
def consultations_load(path: str, featured: bool | None, actor_email: str | None) -> None:
    """Create a consultation from a JSON data file (see consultations/data/binnenstad-assen.json)."""
    import json

    import sqlalchemy as sa

    from partner_portal.auth.models import User
    from partner_portal.consultations.loader import InvalidConsultationData, load_consultation_data

    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path} is not readable JSON: {exc}") from exc
    actor = None
    if actor_email:
        actor = db.session.scalar(sa.select(User).where(User.email == actor_email.strip().lower()))
        if actor is None:
            raise click.ClickException(f"no user with e-mail {actor_email}")
    try:
        consultation = load_consultation_data(data, actor, featured=featured)
    except InvalidConsultationData as exc:
        db.session.rollback()
        raise click.ClickException(
            "the data file is refused, nothing was saved:\n- " + "\n- ".join(exc.problems)
        ) from exc
    db.session.commit()
    click.echo(f"consultation {consultation.slug} loaded: /consultaties/{consultation.slug}")

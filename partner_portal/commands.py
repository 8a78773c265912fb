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

"""Command-line commands: demo data, and each feature's own commands."""

import click
from flask import Flask, current_app

from partner_portal.extensions import db


def register(app: Flask) -> None:
    from partner_portal.notifications import commands as mail_commands

    app.cli.add_command(seed_demo)
    mail_commands.register(app)


@click.command("seed-demo")
def seed_demo() -> None:
    """Load the Assen demo data (idempotent; refused in production)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run in production (APP_ENV=production).")
    from partner_portal import demo

    summary = demo.seed()
    db.session.commit()
    click.echo(summary)

"""Command-line commands: demo data, and each feature's own commands."""

import click
from flask import Flask, current_app

from partner_portal.extensions import db


def register(app: Flask) -> None:
    from partner_portal.notifications import commands as mail_commands
    from partner_portal.sso import commands as sso_commands

    app.cli.add_command(seed_demo)
    mail_commands.register(app)
    app.cli.add_command(workflows)
    app.cli.add_command(audit_group)
    app.cli.add_command(consultations_group)
    app.cli.add_command(privacy_group)
    sso_commands.register(app)


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
@click.option(
    "--anchor",
    "anchor_path",
    type=click.Path(exists=True, dir_okay=False),
    help="An anchor file written earlier by `flask audit anchor`: the chain must still reach its head.",
)
def audit_verify(anchor_path: str | None) -> None:
    """Check the keyed hash chain of the audit trail; exit 1 naming the first broken event."""
    import json

    import sqlalchemy as sa

    from partner_portal.core.audit import AuditEvent, check_anchor, verify_chain

    broken = verify_chain()
    if broken is not None:
        raise click.ClickException(
            f"audit trail broken at event {broken.id}: it was altered, or an event before it was removed"
        )
    if anchor_path:
        try:
            with open(anchor_path, encoding="utf-8") as fh:
                anchor = json.load(fh)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"{anchor_path} is not a readable anchor: {exc}") from exc
        problem = check_anchor(anchor if isinstance(anchor, dict) else {})
        if problem:
            raise click.ClickException(f"audit trail does not match the anchor: {problem}")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    click.echo(f"audit trail intact: {count} events" + (" (anchor matches)" if anchor_path else ""))


@audit_group.command("anchor")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write the anchor to this file (else stdout).")
def audit_anchor(out_path: str | None) -> None:
    """Print (or write) the chain's head: event count, newest id and hash, as JSON.

    Keep it outside the database (another host, a log service, a ticket): `flask audit verify
    --anchor FILE` then proves that no event up to that head was removed or rewritten.
    """
    import json

    from partner_portal.core.audit import anchor_of, verify_chain

    broken = verify_chain()
    if broken is not None:
        raise click.ClickException(f"audit trail broken at event {broken.id}: no anchor written")
    text = json.dumps(anchor_of(), sort_keys=True)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"anchor written to {out_path}")
    else:
        click.echo(text)


@audit_group.command("rekey")
@click.option(
    "--old-key-env",
    default="AUDIT_HMAC_KEY_OLD",
    show_default=True,
    help="Environment variable holding the key the chain was written with.",
)
def audit_rekey(old_key_env: str) -> None:
    """Rotate the chain's key: check every event under the old key, rewrite it under AUDIT_HMAC_KEY."""
    import functools
    import os

    from partner_portal.core.audit import hmac_key, keyed_hash, rehash_chain

    old_key = os.environ.get(old_key_env, "")
    if not old_key:
        raise click.ClickException(f"set {old_key_env} to the key the audit trail was written with")
    connection = db.session.connection()
    try:
        count = rehash_chain(
            connection,
            functools.partial(_with_key, keyed_hash, old_key.encode()),
            functools.partial(_with_key, keyed_hash, hmac_key()),
        )
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"audit trail rekeyed: {count} events; write a new anchor now (flask audit anchor)")


def _with_key(function, key, prev_hash, payload):
    return function(prev_hash, payload, key)


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


@click.group("privacy")
def privacy_group() -> None:
    """Personal data the portal no longer needs."""


@privacy_group.command("purge")
def privacy_purge() -> None:
    """Erase the contact data of former MKB members past the retention period, and staged member files."""
    from partner_portal.mkb.privacy import purge

    purged = purge()
    db.session.commit()
    click.echo(str(purged))

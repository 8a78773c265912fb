"""The `flask mail` commands: deliver the outbox once or in a loop, and build the daily digests."""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from partner_portal.notifications import delivery

log = logging.getLogger(__name__)

mail = AppGroup("mail", help="Deliver queued e-mail and build digests.")


def _report(result: delivery.PassResult) -> str:
    return f"sent {result.sent}, retry later {result.retried}, failed {result.failed}"


@mail.command("send")
def send() -> None:
    """Deliver every due message once (one pass), then exit."""
    if not current_app.config["MAIL_SERVER"]:
        click.echo("MAIL_SERVER is not set: mail stays queued (see the outbox page).")
        return
    result = delivery.send_pending()
    for error in sorted(set(result.errors)):
        click.echo(f"problem: {error}", err=True)
    click.echo(_report(result))


@mail.command("worker")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes.")
def worker(interval: float) -> None:
    """Deliver mail in a loop until SIGTERM or Ctrl-C; a message in flight is finished first."""
    stop = threading.Event()

    def request_stop(signum, frame):
        log.info("mail worker: signal %s received, stopping after this pass", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    name = delivery.worker_name()
    if not current_app.config["MAIL_SERVER"]:
        click.echo("MAIL_SERVER is not set: the worker waits and delivers nothing.")
    click.echo(f"mail worker {name} started (interval {interval}s)")
    while not stop.is_set():
        try:
            result = delivery.send_pending(worker=name)
        except Exception:  # a database hiccup must not end the worker; the next pass retries
            log.exception("mail worker: pass failed")
        else:
            if result.sent or result.retried or result.failed:
                log.info("mail worker: %s", _report(result))
        stop.wait(interval)
    click.echo("mail worker stopped")


@mail.command("digest")
def digest() -> None:
    """Bundle each person's pending digest items into one mail (run daily, e.g. from cron)."""
    from partner_portal.notifications.digest import build_digests

    click.echo(f"queued {build_digests()} digest mails")


def register(app) -> None:
    app.cli.add_command(mail)

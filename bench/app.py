"""The app as the benchmark serves it: the real app plus a bare endpoint to compare against."""

from flask import Flask

from partner_portal import create_app

BARE_PATH = "/_bench/bare"


def create_bench_app(overrides: dict | None = None) -> Flask:
    """The production app (configured from the environment) with a constant-string endpoint added.

    The bare endpoint goes through the same middleware, hooks and headers as every page, so the
    ratio page/bare shows what the page itself costs. It exists only in the benchmark's app.
    """
    app = create_app(overrides or None)

    @app.get(BARE_PATH)
    def bench_bare():
        return "ok"

    return app

"""``surveyapp serve``: run the web application.

Behind nginx (``SURVEYAPP_TRUST_PROXY=1``) the application takes the client's address
from ``X-Forwarded-For``.  That header is only true when nginx is the one way in: a
server listening on a public address could be reached directly, and anyone could
then send ``X-Forwarded-For: <any address>`` and get a fresh address for every
request (a fresh rate-limit count, a fresh sign-in throttle, a fresh duplicate
check).  So with a trusted proxy the server must listen on the loopback interface
(``127.0.0.1:8000``) or a unix socket (``unix:/run/surveyapp/gunicorn.sock``) only:
``surveyapp serve`` refuses anything else, and :func:`gunicorn_on_starting` makes
gunicorn itself refuse (``docs/deploy/gunicorn.conf.py`` installs it).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import click

from surveyapp.cli.base import AppContext, fail, main, pass_appctx
from surveyapp.config import load_config


def bind_of(host: str, port: int) -> str:
    """gunicorn's ``bind`` for ``--host``/``--port``; ``unix:PATH`` is a socket."""
    if host.startswith("unix:"):
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_private_bind(bind: str) -> bool:
    """True for a unix socket or an address only this machine can reach."""
    if bind.startswith("unix:"):
        return True
    if bind.startswith("fd://"):
        return False  # a socket handed over by systemd: where it listens is not known here
    if bind.startswith("["):
        host = bind[1 : bind.find("]")]  # [::1]:8000
    elif bind.count(":") == 1:
        host = bind.split(":")[0]  # 127.0.0.1:8000
    else:
        host = bind  # 127.0.0.1, or a bare IPv6 address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name, or 0.0.0.0-like wildcards written oddly: not proven private


def public_binds(binds: Iterable[str], trust_proxy: int) -> list[str]:
    """The binds that are unsafe: any non-private one when a proxy is trusted."""
    if not trust_proxy:
        return []
    return [b for b in binds if not is_private_bind(b)]


def _public_bind_message(binds: list[str]) -> str:
    return (
        f"SURVEYAPP_TRUST_PROXY is set but the server would listen on {', '.join(binds)}: "
        "a client reaching it directly could forge X-Forwarded-For and get a new address "
        "for every request (rate limits, sign-in throttle, duplicate checks). Listen on "
        "127.0.0.1 or a unix socket behind nginx (docs/deploy/deployment.md)"
    )


def gunicorn_on_starting(server) -> None:
    """gunicorn ``on_starting`` hook: refuse public binds when a proxy is trusted.

    Reads ``SURVEYAPP_TRUST_PROXY`` as the application will (:func:`load_config`, from
    the systemd unit's ``EnvironmentFile``), before any worker builds the application.
    """
    try:
        trust = int(load_config()["TRUST_PROXY"])
    except ValueError:
        trust = 1  # the application refuses the value; never assume "no proxy" here
    unsafe = public_binds(server.cfg.bind, trust)
    if unsafe:
        server.log.error("refusing to start: %s", _public_bind_message(unsafe))
        raise SystemExit(2)


def run_server(app, host: str, port: int, workers: int) -> None:
    """gunicorn with ``workers`` processes; the threaded Werkzeug server when workers is 0."""
    from surveyapp.extensions import db
    from surveyapp.survey.snapshots import remember_open_rounds

    with app.app_context():
        # the workers inherit a copy of every open round: any of them can re-draw a
        # resident's page while the database is down
        remember_open_rounds(db.session)
        db.engine.dispose()  # no pooled connection may cross a fork into the workers
    bind = bind_of(host, port)
    if workers <= 0:
        if bind.startswith("unix:"):
            app.run(host="unix://" + bind[5:], threaded=True, use_reloader=False)
        else:
            app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", bind)
            self.cfg.set("workers", workers)
            # threads: a slow phone's upload does not hold a whole process (the load
            # benchmark's setting); timeout: a million-row export takes 15-25 s
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("timeout", 120)
            # no gunicorn access log: the application writes one JSON line per request
            # (with its request id, and without the client address)

        def load(self):
            return app

    _Server().run()


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on, or unix:PATH for a unix socket.",
)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=int,
    help="gunicorn worker processes; 0 runs the single-process development server.",
)
@click.option(
    "--public-bind",
    is_flag=True,
    help="With SURVEYAPP_TRUST_PROXY set, listen on a non-loopback address anyway "
    "(only where a firewall lets nothing but the proxy reach it); warns loudly.",
)
@pass_appctx
def serve(ctx: AppContext, host: str, port: int, workers: int, public_bind: bool) -> None:
    """Serve the survey, the API and the public pages."""
    bind = bind_of(host, port)
    unsafe = public_binds([bind], int(ctx.app.config.get("TRUST_PROXY") or 0))
    if unsafe and not public_bind:
        fail(_public_bind_message(unsafe) + "; or pass --public-bind if a firewall does")
    if unsafe:
        click.secho(
            "WARNING: " + _public_bind_message(unsafe) + ". Make sure a firewall lets only "
            "the proxy reach this port.",
            err=True,
            fg="red",
            bold=True,
        )
    where = bind if bind.startswith("unix:") else f"http://{bind}/"
    click.echo(f"surveyapp on {where}  (Ctrl+C to stop)")
    run_server(ctx.app, host, port, workers)

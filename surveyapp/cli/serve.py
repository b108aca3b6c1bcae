"""``surveyapp serve``: run the web application."""

from __future__ import annotations

import click

from surveyapp.cli.base import AppContext, main, pass_appctx


def run_server(app, host: str, port: int, workers: int) -> None:
    """gunicorn with ``workers`` processes; the threaded Werkzeug server when workers is 0."""
    from surveyapp.extensions import db

    with app.app_context():
        db.engine.dispose()  # no pooled connection may cross a fork into the workers
    if workers <= 0:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
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
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=int,
    help="gunicorn worker processes; 0 runs the single-process development server.",
)
@pass_appctx
def serve(ctx: AppContext, host: str, port: int, workers: int) -> None:
    """Serve the survey, the API and the public pages."""
    click.echo(f"surveyapp on http://{host}:{port}/  (Ctrl+C to stop)")
    run_server(ctx.app, host, port, workers)

"""Issue 12, item 8: with ``SURVEYAPP_TRUST_PROXY=1`` the server listens only where nginx
can reach it (loopback or a unix socket), so ``X-Forwarded-For`` cannot be forged by
going around nginx; the deployment example counts rate limits in Redis (per address,
across workers).
"""

from __future__ import annotations

import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from surveyapp.cli import serve as serve_module
from surveyapp.cli.serve import gunicorn_on_starting, is_private_bind, public_binds

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def test_forged_forwarded_for_is_believed_when_a_proxy_is_trusted(tmp_path):
    """Why the bind matters: whoever reaches the application directly picks its address."""
    from flask import request

    from surveyapp import create_app

    app = create_app(
        {
            "SECRET_KEY": "k" * 40,
            "DATABASE_URL": "sqlite:///" + str(tmp_path / "p.db"),
            "TRUST_PROXY": 1,
        }
    )
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr or "")
    reply = app.test_client().get(
        "/_addr", headers={"X-Forwarded-For": "6.6.6.6"}, environ_base={"REMOTE_ADDR": "7.7.7.7"}
    )
    assert reply.text == "6.6.6.6"


@pytest.mark.parametrize(
    ("bind", "private"),
    [
        ("127.0.0.1:8000", True),
        ("[::1]:8000", True),
        ("localhost:8000", True),
        ("unix:/run/surveyapp/gunicorn.sock", True),
        ("0.0.0.0:8000", False),
        ("[::]:8000", False),
        ("10.1.2.3:8000", False),
        ("survey.example.gov.cn:8000", False),
        ("fd://3", False),
    ],
)
def test_private_binds(bind, private):
    assert is_private_bind(bind) is private
    assert public_binds([bind], trust_proxy=1) == ([] if private else [bind])
    assert public_binds([bind], trust_proxy=0) == []  # without a trusted proxy: any bind


def _gunicorn_conf() -> dict:
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_the_example_gunicorn_binds_loopback_only_and_nginx_points_there():
    conf = _gunicorn_conf()
    binds = conf["bind"]
    assert binds and all(is_private_bind(b) for b in binds)
    assert conf["on_starting"] is gunicorn_on_starting
    upstream = re.search(
        r"upstream surveyapp \{\s*server ([^;\s]+);", (DEPLOY / "nginx.conf").read_text()
    )
    assert upstream and upstream.group(1) in binds


def test_the_systemd_unit_uses_that_configuration_and_binds_nothing_else():
    unit = (DEPLOY / "surveyapp.service").read_text()
    exec_start = re.search(r"^ExecStart=(.+?)(?<!\\)$", unit, re.M | re.S).group(1)
    argv = shlex.split(exec_start.replace("\\\n", " "))
    assert "-c" in argv and argv[argv.index("-c") + 1] == "/etc/surveyapp/gunicorn.conf.py"
    for flag in ("-b", "--bind"):
        for i, arg in enumerate(argv):
            if arg == flag:
                assert is_private_bind(argv[i + 1])
            if arg.startswith(flag + "="):
                assert is_private_bind(arg.split("=", 1)[1])


def test_the_example_environment_trusts_one_proxy_and_counts_limits_in_redis():
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "surveyapp.env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["SURVEYAPP_TRUST_PROXY"] == "1"
    assert env["SURVEYAPP_RATELIMIT_STORAGE_URI"].startswith("redis://127.0.0.1:")
    guide = (DEPLOY / "deployment.md").read_text()
    assert "never on a public address" in guide and "X-Forwarded-For" in guide


def _server(binds):
    errors: list[str] = []
    log = SimpleNamespace(error=lambda msg, *args: errors.append(msg % args))
    return SimpleNamespace(cfg=SimpleNamespace(bind=binds), log=log), errors


def test_gunicorn_hook_refuses_a_public_bind_with_a_trusted_proxy(monkeypatch):
    monkeypatch.setenv("SURVEYAPP_TRUST_PROXY", "1")
    server, errors = _server(["127.0.0.1:8000", "0.0.0.0:8000"])
    with pytest.raises(SystemExit) as exc:
        gunicorn_on_starting(server)
    assert exc.value.code == 2
    assert "0.0.0.0:8000" in errors[0] and "X-Forwarded-For" in errors[0]
    gunicorn_on_starting(_server(["127.0.0.1:8000", "unix:/run/s.sock"])[0])  # starts
    monkeypatch.setenv("SURVEYAPP_TRUST_PROXY", "0")
    gunicorn_on_starting(_server(["0.0.0.0:8000"])[0])  # no proxy trusted: its own address
    monkeypatch.setenv("SURVEYAPP_TRUST_PROXY", "yes")  # unreadable: assume a proxy
    with pytest.raises(SystemExit):
        gunicorn_on_starting(_server(["0.0.0.0:8000"])[0])


def test_real_gunicorn_with_the_example_refuses_a_public_bind(tmp_path):
    """gunicorn itself, started as the unit starts it but with ``--bind 0.0.0.0``."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [
            str(gunicorn),
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "--bind",
            "0.0.0.0:0",
            "--workers",
            "1",
            "surveyapp:create_app()",
        ],
        env={"PATH": "/usr/bin:/bin", "SURVEYAPP_TRUST_PROXY": "1", "HOME": str(tmp_path)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "refusing to start" in result.stderr and "0.0.0.0:0" in result.stderr


@pytest.fixture
def served(monkeypatch) -> list:
    calls: list = []
    monkeypatch.setattr(
        serve_module, "run_server", lambda app, host, port, workers: calls.append((host, port))
    )
    return calls


def test_serve_refuses_a_public_address_with_a_trusted_proxy(cli, served, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_TRUST_PROXY", "1")
    refused = cli("serve", "--host", "0.0.0.0", "--port", "8000")
    assert refused.exit_code == 2 and served == []
    assert "X-Forwarded-For" in refused.output and "127.0.0.1" in refused.output
    assert cli("serve", "--host", "127.0.0.1", "--port", "8000").exit_code == 0
    assert cli("serve", "--host", "unix:/tmp/surveyapp-test.sock").exit_code == 0
    assert served == [("127.0.0.1", 8000), ("unix:/tmp/surveyapp-test.sock", 5000)]
    warned = cli("serve", "--host", "0.0.0.0", "--public-bind")
    assert warned.exit_code == 0 and "WARNING" in warned.output
    assert served[-1] == ("0.0.0.0", 5000)


def test_serve_binds_anywhere_without_a_trusted_proxy(cli, served, monkeypatch):
    monkeypatch.setenv("SURVEYAPP_TRUST_PROXY", "0")
    result = cli("serve", "--host", "0.0.0.0")
    assert result.exit_code == 0 and "WARNING" not in result.output
    assert served == [("0.0.0.0", 5000)]

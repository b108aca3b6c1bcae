"""The nginx example of the deployment docs: accepted by ``nginx -t``, limits in step.

Skipped where nginx is not installed.  The certificate and include paths are pointed
at a throwaway self-signed pair; nothing else of the file is changed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from surveyapp.config import DEFAULTS
from tests.needs import needs

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "deploy"


def _size(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2}[unit.lower()]


def test_client_max_body_size_matches_max_content_length():
    conf = (DEPLOY / "nginx.conf").read_text("utf-8")
    sizes = re.findall(r"^\s*client_max_body_size\s+(\S+);", conf, re.M)
    assert sizes and {_size(s) for s in sizes} == {DEFAULTS["MAX_CONTENT_LENGTH"]}


def test_proxy_headers_are_the_ones_trust_proxy_reads():
    params = (DEPLOY / "surveyapp_proxy_params").read_text("utf-8")
    # one hop, set from the real peer: what SURVEYAPP_TRUST_PROXY=1 (ProxyFix x_for=1) expects
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in params
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in params
    assert "proxy_set_header Host $host;" in params


@needs(shutil.which("nginx") is None, "nginx")
def test_nginx_accepts_the_example(tmp_path):
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=survey.example.gov.cn",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    params = tmp_path / "surveyapp_proxy_params"
    shutil.copy(DEPLOY / "surveyapp_proxy_params", params)
    site = (DEPLOY / "nginx.conf").read_text("utf-8")
    site = site.replace("/etc/ssl/surveyapp/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/surveyapp/privkey.pem", str(key))
    site = site.replace("/etc/nginx/surveyapp_proxy_params", str(params))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site, "utf-8")
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        f"events {{}}\nhttp {{\n    include {tmp_path}/site.conf;\n}}\n",
        "utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "main.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr

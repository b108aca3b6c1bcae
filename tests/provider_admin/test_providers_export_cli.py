"""``surveyapp providers export``: the registry file's format, so export -> import round-trips."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditLog, Provider
from surveyapp.providers.registry_file import COLUMNS


def _snapshot(app) -> list[tuple]:
    with app.app_context():
        return [
            (
                p.key,
                p.name,
                tuple(p.sectors),
                p.district,
                p.address,
                p.lat,
                p.lon,
                tuple(p.service_types),
                p.status,
            )  # fmt: skip
            for p in db.session.scalars(select(Provider).order_by(Provider.id))
        ]


def test_export_then_import_changes_nothing(app, cli, tmp_path):
    source = tmp_path / "reg.csv"
    source.write_text(
        "统一社会信用代码,注册号,名称,行业,区县,地址,纬度,经度,坐标系,服务类型,状态\n"
        '91350100M000100Y43,,普洱早餐店,catering;supermarket,思茅区,"振兴大道 1 号, 一楼",'
        "22.7851234567,100.9771234567,GCJ02,早餐店;便利店,open\n"
        ",530802600012345,=老王米线,餐饮,宁洱哈尼族彝族自治县,,,,,,closed\n",
        encoding="utf-8",
    )
    assert cli("providers", "import", str(source)).exit_code == 0
    before = _snapshot(app)
    out = tmp_path / "export.csv"
    result = cli("providers", "export", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS and len(rows) == 3
    assert "'=老王米线" in {r[2] for r in rows}  # a formula-like cell is made safe
    again = cli("providers", "import", str(out))
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 2 unchanged" in again.output
    assert _snapshot(app) == before
    with app.app_context():
        assert not db.session.scalars(
            select(AuditLog).where(AuditLog.action == "provider.update")
        ).all()
    only = cli("providers", "export", "--sector", "supermarket")
    assert only.exit_code == 0 and "普洱早餐店" in only.output and "老王米线" not in only.output
    assert cli("providers", "export", "--sector", "nope").exit_code == 2

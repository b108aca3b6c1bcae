"""``surveyapp inspections results import`` given bad files: each is exit 2 with its row
and column named, and no result stored (the credit record unchanged)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from surveyapp.models.credit import CreditEvent
from surveyapp.models.supervision import InspectionResult
from tests.bad_files import bad_files
from tests.inspections.test_inspections_stored import sealed  # noqa: F401 (a fixture)

# findings first: the sweep's "missing column" drops the last one, which must be required
HEADER = "findings,credit_code,inspected_on,result"


def _cases(drawn: str, other: str) -> dict[str, tuple[bytes, tuple[str, ...]]]:
    good = f"后厨卫生不达标,{drawn},2026-12-01,不合格"

    def rows(*lines: str) -> bytes:
        return ("\n".join([HEADER, *lines]) + "\n").encode()

    sweep = bad_files(HEADER, good)
    # "findings\0" is an unknown column, ignored: the failure then lacks its findings
    sweep["a NUL in the header"] = (sweep["a NUL in the header"][0], ("row 2", "findings"))
    return {
        **sweep,
        "a provider not drawn": (rows(f",{other},2026-12-01,合格"), ("row 2", "credit_code")),
        "an unknown provider": (rows(",NO-SUCH-CODE,2026-12-01,合格"), ("row 2", "credit_code")),
        "a very long code": (rows(f",{'9' * 100_000},2026-12-01,合格"), ("row 2", "credit_code")),
        "a provider twice": (rows(good, good), ("row 3", "credit_code")),
        "a day in the wrong format": (rows(f",{drawn},01/12/2026x,合格"), ("row 2", "inspected_on")),
        "a day that does not exist": (rows(f",{drawn},2026-02-30,合格"), ("row 2", "inspected_on")),
        "a day in the future": (rows(f",{drawn},2099-01-01,合格"), ("row 2", "inspected_on")),
        "an unknown result": (rows(f",{drawn},2026-12-01,maybe"), ("row 2", "result")),
        "a failure without findings": (rows(f",{drawn},2026-12-01,不合格"), ("row 2", "findings")),
        "findings too long": (rows(f"{'x' * 3000},{drawn},2026-12-01,不合格"), ("row 2", "findings")),
        "an unknown inspector": (
            f"{HEADER},inspectors\n{good},i1;nobody\n".encode(), ("row 2", "inspectors")
        ),
    }  # fmt: skip


def test_each_bad_file_is_exit_2_naming_row_and_column(cli, session, tmp_path, sealed):  # noqa: F811
    drawn, not_drawn = sealed
    cases = _cases(drawn[0], not_drawn[0])
    for case, (content, words) in cases.items():
        path = tmp_path / "bad.csv"
        path.write_bytes(content)
        result = cli("inspections", "results", "import", str(path),
                     "--sector", "catering", "--period", "2026Q4")  # fmt: skip
        assert result.exit_code == 2, (case, result.output[:500])
        assert "Traceback" not in result.output, case
        assert len(result.output) < 20_000, case
        for word in words:
            assert word in result.output, (case, word, result.output[:500])
        assert session.scalar(select(func.count()).select_from(InspectionResult)) == 0
        kind = CreditEvent.kind == "inspection"
        assert session.scalar(select(func.count()).where(kind)) == 0


def test_a_formula_in_the_findings_is_stored_as_text(cli, session, tmp_path, sealed):  # noqa: F811
    drawn, _ = sealed
    path = tmp_path / "f.csv"
    path.write_bytes(f"{HEADER}\n\"=cmd|' /C calc'!A0\",{drawn[0]},2026-12-01,不合格\n".encode())
    result = cli("inspections", "results", "import", str(path),
                 "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert result.exit_code == 0, result.output
    kind = CreditEvent.kind == "inspection"
    stored = session.scalars(select(CreditEvent.description).where(kind)).all()
    assert stored == ["=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_a_bom_or_gbk_file_is_read(cli, session, tmp_path, sealed, encoding):  # noqa: F811
    drawn, _ = sealed
    path = tmp_path / "ok.csv"
    path.write_bytes(f"{HEADER}\n后厨卫生不达标,{drawn[0]},2026-12-01,不合格\n".encode(encoding))
    result = cli("inspections", "results", "import", str(path),
                 "--sector", "catering", "--period", "2026Q4")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert session.scalar(select(func.count()).select_from(InspectionResult)) == 1

"""A provider's page links to the complaint form for it and shows its complaint
publicity figures of the latest published period (read from the edition as issued)."""

from __future__ import annotations

from datetime import date

from surveyapp.complaints.provider_figures import provider_figures
from surveyapp.complaints.publicity import Publicity, PublicityLine, publicity_csv
from surveyapp.extensions import db
from surveyapp.models.complaint import PublicityEdition
from tests.directory.conftest import CODES


def _edition(app, number: int, period: str, lines) -> None:
    pub = Publicity(period, date(2026, 1, 1), date(2026, 1, 31), ("价格", "服务"),
                    ("和解成功",), tuple(lines), 0)  # fmt: skip
    with app.app_context():
        db.session.add(
            PublicityEdition(
                edition=number,
                period=period,
                lang="zh",
                pdf=b"%PDF",
                csv=publicity_csv(pub),
                pdf_sha256="0" * 64,
                csv_sha256="0" * 64,
                inputs={},
                published_by="test",
            )  # fmt: skip
        )
        db.session.commit()


def test_the_page_shows_the_latest_published_figures_and_links_the_form(app, client, add_provider):
    pid = add_provider(CODES[0], "甲店")
    add_provider(CODES[1], "乙店")
    page = client.get(f"/providers/{CODES[0]}").get_data(as_text=True)
    assert "尚未发布消费投诉公示" in page
    assert f'href="/complaints/new?provider={pid}"' in page  # the form, with it chosen
    _edition(app, 1, "2026-09", [PublicityLine("甲店", CODES[0], 2, (2, 0), 0)])
    _edition(app, 2, "2026-10", [PublicityLine("甲店", CODES[0], 4, (3, 1), 3)])
    page = client.get(f"/providers/{CODES[0]}").get_data(as_text=True)
    assert "2026-10 公示：受理投诉 4 件" in page
    assert "价格：75.0%" in page and "服务：25.0%" in page and "和解成功率 75.0%" in page
    other = client.get(f"/providers/{CODES[1]}").get_data(as_text=True)
    assert "2026-10 公示期内无受理并计入公示的投诉" in other
    with app.app_context():
        figures = provider_figures(db.session, CODES[0])
        assert (figures.period, figures.edition, figures.complaints) == ("2026-10", 2, 4)
        assert figures.shares == (("价格", 0.75), ("服务", 0.25))
        assert figures.success_rate == 0.75
        # a correction of the same period (a later edition) is what is shown
    _edition(app, 3, "2026-10", [PublicityLine("甲店", CODES[0], 3, (3, 0), 3)])
    with app.app_context():
        assert provider_figures(db.session, CODES[0]).complaints == 3

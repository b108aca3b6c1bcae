"""The issuer in each language: ``BULLETIN_ISSUER`` and, on English editions,
``BULLETIN_ISSUER_EN`` (defaulting to the Chinese one)."""

from __future__ import annotations

from surveyapp.bulletins import prepare_bulletin
from surveyapp.bulletins.service import BulletinSettings, bulletin_settings
from surveyapp.config import load_config
from surveyapp.extensions import db

ZH, EN = "普洱市商务局", "Pu'er Municipal Bureau of Commerce"


def test_the_english_issuer_is_read_from_the_environment_and_defaults_to_the_chinese_one():
    both = load_config({"SURVEYAPP_BULLETIN_ISSUER": ZH, "SURVEYAPP_BULLETIN_ISSUER_EN": EN})
    assert both["BULLETIN_ISSUER_EN"] == EN
    settings = BulletinSettings(issuer=ZH, issuer_en=EN)
    assert (settings.issuer_in("zh"), settings.issuer_in("en")) == (ZH, EN)
    only_zh = BulletinSettings(issuer=ZH)
    assert (only_zh.issuer_in("zh"), only_zh.issuer_in("en")) == (ZH, ZH)
    assert BulletinSettings().issuer_in("en") is None


def test_an_english_edition_names_the_english_issuer(app, demo, pdf_text):
    settings = bulletin_settings({**app.config, "BULLETIN_ISSUER": ZH, "BULLETIN_ISSUER_EN": EN})
    with app.app_context():
        drafts = {
            lang: prepare_bulletin(
                db.session, demo["current"], sectors=["catering"], lang=lang, settings=settings
            )
            for lang in ("zh", "en")
        }
        covers = {lang: pdf_text(draft.render())[0] for lang, draft in drafts.items()}
    assert drafts["en"].inputs["issuer"] == EN and f"Issued by: {EN}" in covers["en"]
    assert drafts["zh"].inputs["issuer"] == ZH and ZH in covers["zh"] and EN not in covers["zh"]

"""Flask-WTF forms of the questionnaire editor (CSRF-protected like every form of the app).

Sizes and file types are checked by :mod:`surveyapp.qeditor.service` on the bytes
themselves, so the refusal names what is wrong with the file rather than the field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from surveyapp.questionnaire.schema import SECTORS


class SourceForm(FlaskForm):
    """The YAML text, or a YAML file that takes its place."""

    source = TextAreaField()
    upload = FileField()


class ImportForm(FlaskForm):
    """An XLSForm workbook and, when its settings sheet names none, the sector."""

    workbook = FileField()
    sector = SelectField(choices=[], default="")


def fill_sectors(form: ImportForm, settings_label: str, lang: str) -> ImportForm:
    """Offer "from the settings sheet" and the known sectors in the page's language."""
    form.sector.choices = [SelectChoice("", settings_label)] + [
        SelectChoice(key, f"{name.get(lang)} ({key})") for key, name in SECTORS.items()
    ]
    return form

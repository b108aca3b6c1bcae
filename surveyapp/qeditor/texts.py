"""Labels of the questionnaire editor's pages: message ids ``qe_<name>`` of the catalogs."""

from __future__ import annotations

from surveyapp.i18n import N_
from surveyapp.i18n import labels as page_labels

#: Every label the editor's templates read as ``L.<name>``.
LABEL_KEYS = (
    N_("qe_title"),
    N_("qe_intro"),
    N_("qe_none_yet"),
    N_("qe_new"),
    N_("qe_import"),
    N_("qe_qid"),
    N_("qe_version"),
    N_("qe_sector"),
    N_("qe_name"),
    N_("qe_hash"),
    N_("qe_published_at"),
    N_("qe_view_yaml"),
    N_("qe_edit"),
    N_("qe_version_title"),
    N_("qe_back"),
    N_("qe_edit_title"),
    N_("qe_new_title"),
    N_("qe_editor_title"),
    N_("qe_editor_help"),
    N_("qe_source"),
    N_("qe_upload"),
    N_("qe_validate"),
    N_("qe_publish"),
    N_("qe_publish_note"),
    N_("qe_errors"),
    N_("qe_line"),
    N_("qe_no_line"),
    N_("qe_listing"),
    N_("qe_valid"),
    N_("qe_published"),
    N_("qe_renumbered"),
    N_("qe_unchanged"),
    N_("qe_concurrent"),
    N_("qe_nothing"),
    N_("qe_expired"),
    N_("qe_upload_too_large"),
    N_("qe_upload_request_too_large"),
    N_("qe_upload_empty"),
    N_("qe_upload_binary"),
    N_("qe_upload_not_utf8"),
    N_("qe_upload_spreadsheet"),
    N_("qe_upload_not_xlsx"),
    N_("qe_xlsform_file"),
    N_("qe_xlsform_sector"),
    N_("qe_xlsform_sector_settings"),
    N_("qe_xlsform_help"),
    N_("qe_xlsform_button"),
    N_("qe_xlsform_error"),
    N_("qe_xlsform_done"),
    N_("qe_xlsform_notes"),
    N_("qe_choose_file"),
    N_("qe_bad_sector"),
    N_("qe_not_found"),
)


def labels(lang: str) -> dict[str, str]:
    return page_labels(LABEL_KEYS, "qe_", lang)

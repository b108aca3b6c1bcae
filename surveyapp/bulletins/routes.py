"""Public bulletin pages: ``/bulletins`` lists published editions, no login needed.

``/bulletins/<id>.pdf`` serves the stored file exactly as published, after checking
it against its SHA-256 (also sent as ``Repr-Digest`` and shown on the list, so a
reader can verify a download).
"""

from __future__ import annotations

import base64
import hashlib

from flask import Blueprint, Response, abort, current_app, render_template

from surveyapp.extensions import db
from surveyapp.i18n import N_, labels
from surveyapp.models.bulletin import Bulletin
from surveyapp.publications import list_editions, replaced_by
from surveyapp.web import current_lang

bp = Blueprint("bulletins", __name__, template_folder="templates")

#: The page's labels (``L.<name>`` in its template): message ids ``bpub_<name>``.
LABEL_KEYS = (
    N_("bpub_title"),
    N_("bpub_intro"),
    N_("bpub_manage"),
    N_("bpub_edition"),
    N_("bpub_period"),
    N_("bpub_lang"),
    N_("bpub_published"),
    N_("bpub_download"),
    N_("bpub_pages"),
    N_("bpub_sha"),
    N_("bpub_none"),
    N_("bpub_replaces"),
    N_("bpub_replaced"),
    N_("bpub_lang_zh"),
    N_("bpub_lang_en"),
    N_("bpub_interim"),
    N_("bpub_interim_note"),
    N_("bpub_verify"),
)


def _labels(lang: str) -> dict[str, str]:
    return labels(LABEL_KEYS, "bpub_", lang)


@bp.get("/bulletins")
def index():
    bulletins = list_editions(db.session)
    return render_template(
        "bulletins/index.html",
        bulletins=bulletins,
        successors=replaced_by(bulletins),
        interim={b.id for b in bulletins if (b.inputs or {}).get("interim")},
        L=_labels(current_lang()),
    )


@bp.get("/bulletins/<int:bulletin_id>.pdf")
def download(bulletin_id: int):
    bulletin = db.session.get(Bulletin, bulletin_id)
    if bulletin is None:
        abort(404)
    pdf = bulletin.pdf
    digest = hashlib.sha256(pdf).digest()
    if digest.hex() != bulletin.sha256:
        current_app.logger.error("bulletin %s: stored PDF does not match its SHA-256", bulletin.id)
        abort(500)
    filename = f"bulletin-{bulletin.period}-no{bulletin.edition}-{bulletin.lang}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "ETag": f'"{bulletin.sha256}"',
            "Repr-Digest": f"sha-256=:{base64.b64encode(digest).decode('ascii')}:",
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )

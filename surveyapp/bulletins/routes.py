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
from surveyapp.models.bulletin import Bulletin
from surveyapp.publications import list_editions, replaced_by
from surveyapp.web import current_lang

bp = Blueprint("bulletins", __name__, template_folder="templates")

LABELS = {
    "title": ("监测公报", "Monitoring bulletins"),
    "intro": (
        "生活性服务业服务质量第三方监测结果定期发布。每期公报发布后不再修改，更正以新一期发布并注明所替代的期号。",
        "Third-party monitoring results on life-service quality, published periodically. "
        "A published edition is never changed: a correction is a new edition naming the one it replaces.",
    ),
    "manage": ("预览和发布公报（评估人员）", "Preview and publish a bulletin (evaluators)"),
    "edition": ("期号", "Edition"),
    "period": ("监测期", "Period"),
    "lang": ("语言", "Language"),
    "published": ("发布时间", "Published"),
    "download": ("下载 PDF", "Download PDF"),
    "pages": ("页", "pages"),
    "sha": ("SHA-256 校验值", "SHA-256"),
    "none": ("尚未发布公报。", "No bulletin has been published yet."),
    "replaces": ("更正并替代第 {n} 期", "Corrects and replaces No. {n}"),
    "replaced": ("已由第 {n} 期更正", "Corrected by No. {n}"),
    "lang_zh": ("中文", "Chinese"),
    "lang_en": ("英文", "English"),
    "interim": ("中期", "Interim"),
    "interim_note": (
        "中期公报：发布时本期仍有调查轮次在进行，数字不是本期的最终结果。",
        "Interim bulletin: a survey round of the period was still open when it was "
        "published; its figures are not the period's final results.",
    ),
    "verify": (
        "下载后可用 sha256sum 等工具核对文件的 SHA-256 值。",
        "Check a download with a tool such as sha256sum against the SHA-256 shown.",
    ),
}


def _labels(lang: str) -> dict[str, str]:
    i = 1 if lang == "en" else 0
    return {k: v[i] for k, v in LABELS.items()}


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

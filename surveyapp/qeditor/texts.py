"""Texts of the questionnaire editor, Chinese first with English (``key: (zh, en)``)."""

from __future__ import annotations

from surveyapp.i18n import MESSAGES

#: The account navigation's link (shared chrome, so a message key like its neighbours).
MESSAGES.setdefault("nav_questionnaires", ("问卷管理", "Questionnaires"))

LABELS: dict[str, tuple[str, str]] = {
    "title": ("问卷管理", "Questionnaires"),
    "intro": (
        "每份问卷的已发布版本。发布即冻结：内容不再改变，修改后再发布会成为新版本；"
        "内容与已有版本相同则不会新建版本。",
        "The published versions of each questionnaire. Publishing freezes a version: "
        "its content never changes; an edited file published again becomes a new "
        "version, and content identical to a stored version creates none.",
    ),
    "none_yet": ("尚未发布任何问卷。", "No questionnaire has been published yet."),
    "new": ("新建或上传问卷", "New or uploaded questionnaire"),
    "import": ("从 XLSForm 导入", "Import an XLSForm"),
    "qid": ("问卷编号", "Questionnaire"),
    "version": ("版本", "Version"),
    "sector": ("行业", "Sector"),
    "name": ("标题", "Title"),
    "hash": ("内容哈希", "Content hash"),
    "published_at": ("发布时间", "Published"),
    "view_yaml": ("查看 YAML", "View YAML"),
    "edit": ("编辑新版本", "Edit as a new version"),
    "version_title": ("{qid} 第 {version} 版", "{qid} version {version}"),
    "back": ("返回问卷列表", "Back to the questionnaires"),
    "edit_title": ("编辑问卷 {qid}（基于第 {version} 版）", "Edit {qid} (from version {version})"),
    "new_title": ("新建问卷", "New questionnaire"),
    "editor_title": ("问卷编辑", "Questionnaire editor"),
    "editor_help": (
        "在下方编辑 YAML，或上传一个 YAML 文件（上传的文件优先于文本框）。先“校验”，"
        "无误后“发布”。格式说明见 questionnaires/catering.yaml 开头的注释。",
        "Edit the YAML below, or upload a YAML file (an uploaded file takes the place "
        "of the text box). Check it, then publish. The format is described at the top "
        "of questionnaires/catering.yaml.",
    ),
    "source": ("问卷 YAML", "Questionnaire YAML"),
    "upload": (
        "或上传 YAML 文件（UTF-8，最大 {limit} KB）",
        "Or upload a YAML file (UTF-8, at most {limit} KB)",
    ),
    "validate": ("校验", "Check"),
    "publish": ("发布（冻结版本）", "Publish (freeze a version)"),
    "publish_note": (
        "发布后该版本不可修改，并记入审计日志。",
        "A published version can never be changed; publishing is written to the audit log.",
    ),
    "errors": ("发现 {n} 处问题，请修改后重试：", "{n} problem(s) found; fix them and try again:"),
    "line": ("第 {line} 行", "line {line}"),
    "no_line": ("整个文件", "whole file"),
    "listing": ("带行号的文本", "The text with line numbers"),
    "valid": (
        "校验通过：{qid} 第 {version} 版，{sector}，{dimensions} 个维度，{items} 道评分题。",
        "Valid: {qid} version {version}, {sector}, {dimensions} dimension(s), {items} rating item(s).",
    ),
    "published": ("已发布 {qid} 第 {version} 版。", "Published {qid} version {version}."),
    "renumbered": (
        "已发布 {qid} 第 {version} 版（文件中的第 {was} 版已被占用且内容不同）。",
        "Published {qid} version {version} (version {was} of the file is taken by other content).",
    ),
    "unchanged": (
        "内容与已发布的 {qid} 第 {version} 版相同，未新建版本。",
        "The content equals the published {qid} version {version}: no new version was made.",
    ),
    "concurrent": (
        "另一版本刚刚同时发布，请重试。",
        "Another version was published at the same moment: try again.",
    ),
    "nothing": ("请填写 YAML 文本或上传文件。", "Enter YAML text or upload a file."),
    "expired": ("页面已过期，请刷新后重试。", "The page has expired: reload it and try again."),
    "upload_too_large": (
        "内容过大（{size} KB），上限为 {limit} KB。",
        "Too large ({size} KB); the limit is {limit} KB.",
    ),
    "upload_request_too_large": (
        "上传内容过大，上限为 {limit} KB。",
        "The upload is too large; the limit is {limit} KB.",
    ),
    "upload_empty": ("上传的文件是空的。", "The uploaded file is empty."),
    "upload_binary": (
        "上传的文件不是文本文件（可能是图片、PDF 或其他二进制文件），请上传 UTF-8 编码的 YAML 文件。",
        "The uploaded file is not text (an image, a PDF or another binary file): upload a "
        "UTF-8 YAML file.",
    ),
    "upload_not_utf8": (
        "上传的文件不是 UTF-8 编码的文本（第 {line} 行），请另存为 UTF-8 后重试。",
        "The uploaded file is not UTF-8 text (line {line}): save it as UTF-8 and try again.",
    ),
    "upload_spreadsheet": (
        "上传的是电子表格，不是 YAML 文件；XLSForm 请使用下方的“从 XLSForm 导入”。",
        "That is a spreadsheet, not a YAML file: use “Import an XLSForm” below for an XLSForm.",
    ),
    "upload_not_xlsx": (
        "不是 .xlsx 工作簿（Excel 2007 或更新版本）；旧的 .xls 请先另存为 .xlsx。",
        "Not an .xlsx workbook (Excel 2007 or newer); save an old .xls as .xlsx first.",
    ),
    "xlsform_file": (
        "XLSForm 文件（.xlsx，最大 {limit} KB）",
        "XLSForm file (.xlsx, at most {limit} KB)",
    ),
    "xlsform_sector": ("行业", "Sector"),
    "xlsform_sector_settings": (
        "按 settings 表中的 sector 列",
        "From the settings sheet's sector column",
    ),
    "xlsform_help": (
        "支持的内容：评分量表（选项名为连续整数，如 1–5）的 select_one 转为评分题，"
        "名为 overall 的评分题转为总体满意度题，分组（begin group）转为维度；"
        "其他 select_one 转为基本情况题；text 转为开放题；label::Chinese (zh) 与 "
        "label::English (en) 列转为中英文文本。导入结果仅供审阅，不会自动发布。",
        "What carries over: a select_one on a rating list (choice names are whole "
        "numbers in a run such as 1–5) becomes a rating item, the one named overall the "
        "overall item, a group (begin group) a dimension; another select_one becomes a "
        "respondent question; text an open question; the label::Chinese (zh) and "
        "label::English (en) columns the Chinese and English texts. The result is for "
        "review: nothing is published.",
    ),
    "xlsform_button": ("导入并审阅", "Import for review"),
    "xlsform_error": ("无法导入该 XLSForm：", "The XLSForm cannot be imported:"),
    "xlsform_done": (
        "已从 XLSForm {name} 转换，请审阅后校验并发布。",
        "Converted from the XLSForm {name}: review it, check it and publish.",
    ),
    "xlsform_notes": (
        "以下内容未导入或已修改（英文说明，按表格行号）：",
        "Left out or changed (by spreadsheet row):",
    ),
    "choose_file": ("请选择要上传的文件。", "Choose a file to upload."),
    "bad_sector": ("所选行业不在列表中。", "The chosen sector is not on the list."),
    "not_found": ("未找到该问卷版本。", "No such questionnaire version."),
}


def labels(lang: str) -> dict[str, str]:
    """The editor's texts in ``lang`` (Chinese unless ``en``)."""
    i = 1 if lang == "en" else 0
    return {key: pair[i] for key, pair in LABELS.items()}

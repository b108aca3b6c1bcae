"""Configuration: defaults here, overridden by ``SURVEYAPP_*`` environment variables.

Nothing reads the environment at import time; :func:`load_config` is called by the
application factory so tests can pass a plain mapping instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

DEFAULTS: dict[str, Any] = {
    "ENV": "development",  # "production" refuses to start without a real SECRET_KEY
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # default: sqlite:///<instance>/surveyapp.db
    "SQLITE_BUSY_TIMEOUT_MS": 10000,
    "DEFAULT_LANG": "zh",
    "MAX_CONTENT_LENGTH": 256 * 1024,  # a survey answer is a few KB; refuse floods early
    # Store the (hashed) IP + browser fingerprint of a survey response, a fraud signal
    # on the anomaly panel; it never refuses a resident (two may share an address).
    "FINGERPRINT_DEDUPE": True,
    "DEVICE_COOKIE_DAYS": 400,
    "SESSION_COOKIE_SECURE": None,  # None: Secure cookies in production (HTTPS), not in development
    "TRUST_PROXY": 0,  # number of reverse proxies whose X-Forwarded-For is trusted
    "GOAL": 80,
    "BULLETIN_TITLE": None,  # default: 生活性服务业服务质量第三方监测公报
    "BULLETIN_ISSUER": None,  # who publishes: on the bulletin's cover and the posters
    "BULLETIN_ISSUER_EN": None,  # the issuer in English (bulletins, posters); empty: BULLETIN_ISSUER
    "BULLETIN_CITY": None,  # e.g. 普洱市: leads the bulletin's default title
    # The address residents reach the survey at (https://survey.example.gov.cn): survey
    # links, QR codes, posters and invitation links.  Empty: the address an admin's
    # browser used, which is wrong behind a proxy or on an internal address.
    "PUBLIC_URL": "",
    "BULLETIN_FONT": None,  # path of a TrueType CJK font to embed
    "MARGINS_FILE": None,  # population margins CSV (variable,category,population)
    # Days after a round closes before its device and fingerprint hashes are cleared
    # (``surveyapp privacy purge``); the one-response rule needs them only while it is open.
    "HASH_RETENTION_DAYS": 30,
    # A dashboard round with more responses than this is analysed in the background even
    # on its first view in a worker (the page says so and reloads itself).
    "DASHBOARD_SYNC_MAX": 100_000,
    # Providers' scores cover the ratings of this many months up to the day (``providers scores``)
    "PROVIDER_SCORE_WINDOW_MONTHS": 12,
    # A provider's score is published (web pages, JSON) from this many ratings in a sector
    "PROVIDER_MIN_RATINGS": 5,
    # One rating per device per provider per window of this many days: a second replaces it
    "RATING_WINDOW_DAYS": 30,
    # Complaints (surveyapp.complaints): working days to decide acceptance after the day of
    # receipt, and to close after the day of acceptance (neither day counted)
    "COMPLAINT_ACCEPT_DAYS": 7,
    "COMPLAINT_CLOSE_DAYS": 45,
    # Days after a complaint ends before the complainant's name and phone are cleared
    "COMPLAINT_PII_RETENTION_DAYS": 180,
    "COMPLAINT_CATEGORIES": "价格,商品质量,服务态度,食品安全,虚假宣传,合同,预付卡,其他",
    # Outcomes of closed, accepted complaints that publicity counts (终止: withdrawn or ended)
    "COMPLAINT_PUBLISH_OUTCOMES": "和解成功,未达成和解",
    # Credit risk classes (surveyapp.credit): a rule file instead of the shipped one, and the
    # posterior share of satisfied ratings below which a window counts as a low score
    "CREDIT_RULES": None,
    "CREDIT_LOW_SCORE": 0.6,
    # The inspection draw's sampling rate per risk class, per mille (整数‰)
    "INSPECTION_RATES": "A:50,B:200,C:400,D:800",
    # Consumer-warning proposals for D-class providers: a provider warned (or a proposal
    # dismissed) within this many days is not proposed again
    "CREDIT_WARNING_DAYS": 180,
    # Plan indicators: "on track" within this many percentage points of the baseline-to-target span
    "PLAN_TOLERANCE_PP": 5.0,
    # The 15-minute service circle (surveyapp.circle.stored): walking distance in metres,
    # the reported service types (comma-separated; empty: the eight basic services, then
    # 卫生, 养老, 文化, 体育) and a walking network GeoJSON for network distance
    "CIRCLE_RADIUS_M": 1000.0,
    "CIRCLE_TYPES": "",
    "CIRCLE_NETWORK": None,
    "HOLIDAYS_DIR": None,  # an administrator's cn-holidays-YYYY.csv files (win per year)
    "ACCESS_LOG": True,  # one JSON line per request on stderr
    # Rate limits of the submission endpoints (surveyapp.security.limits)
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STRATEGY": "fixed-window",
    "RATELIMIT_KEY_PREFIX": "surveyapp",  # several applications sharing one Redis: one each
    "RATELIMIT_SURVEY_ROUND": "600/minute",
    "RATELIMIT_API_KEY": "60/minute;1000/hour",  # per channel key, whatever its address
    "RATELIMIT_API_CLIENT": "60/minute;1000/hour",  # per address: reads, posts without a key
    "RATELIMIT_API_ROUND": "600/minute",
    # THE per-source threshold: beyond it a source's responses in a round are held for
    # review (per address of the survey, per channel key of the API; surveyapp.review);
    # the survey refuses an address's submissions beyond 10 times it (page posts are free)
    "RATELIMIT_BURST": "100/10minutes",
    "RATELIMIT_TRUSTED": "",  # comma-separated addresses or networks (CIDR)
}

_TYPES = {
    "SQLITE_BUSY_TIMEOUT_MS": int,
    "MAX_CONTENT_LENGTH": int,
    "DEVICE_COOKIE_DAYS": int,
    "TRUST_PROXY": int,
    "GOAL": float,
    "HASH_RETENTION_DAYS": int,
    "DASHBOARD_SYNC_MAX": int,
    "PROVIDER_SCORE_WINDOW_MONTHS": int,
    "PROVIDER_MIN_RATINGS": int,
    "RATING_WINDOW_DAYS": int,
    "PLAN_TOLERANCE_PP": float,
    "CIRCLE_RADIUS_M": float,
    "CREDIT_LOW_SCORE": float,
    "CREDIT_WARNING_DAYS": int,
    "COMPLAINT_ACCEPT_DAYS": int,
    "COMPLAINT_CLOSE_DAYS": int,
    "COMPLAINT_PII_RETENTION_DAYS": int,
}
_BOOLS = {"FINGERPRINT_DEDUPE", "SESSION_COOKIE_SECURE", "RATELIMIT_ENABLED", "ACCESS_LOG"}


def _convert(key: str, raw: str) -> Any:
    if key in _BOOLS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if key in _TYPES:
        return _TYPES[key](raw)
    return raw


def load_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Merge defaults with ``SURVEYAPP_<KEY>`` variables (and plain ``DATABASE_URL``)."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key in DEFAULTS:
        value = environ.get(f"SURVEYAPP_{key}")
        if value is not None:
            config[key] = _convert(key, value)
    if config["DATABASE_URL"] is None and environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = environ["DATABASE_URL"]
    return config


class ConfigError(RuntimeError):
    """The configuration cannot run safely (e.g. production without a secret)."""

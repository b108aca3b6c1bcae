"""Settings checked at start-up: one clear line per problem, then refusal to start.

:func:`check_environ` reads the raw ``SURVEYAPP_*`` strings (before they are
converted, so ``SURVEYAPP_GOAL=eighty`` names the variable instead of failing inside
``float()``); :func:`check_settings` checks the merged settings (environment, test
mapping, defaults).  Both raise :class:`~surveyapp.config.ConfigError` listing every
problem found.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import logging
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from surveyapp.config import _BOOLS, _TYPES, DEFAULTS, ConfigError

ENVS = ("development", "testing", "production")
DATABASE_BACKENDS = ("sqlite", "postgresql")
TRUE_FALSE = {"1", "0", "true", "false", "yes", "no", "on", "off"}
# name -> (minimum, maximum) for the numeric settings
RANGES: dict[str, tuple[float, float]] = {
    "SQLITE_BUSY_TIMEOUT_MS": (0, 600_000),
    "MAX_CONTENT_LENGTH": (1024, 1024**3),
    "DEVICE_COOKIE_DAYS": (1, 3650),
    "TRUST_PROXY": (0, 10),
    "GOAL": (0, 100),
    "HASH_RETENTION_DAYS": (0, 3650),
    "DASHBOARD_SYNC_MAX": (0, 10**9),
}
RATELIMIT_STRATEGIES = ("fixed-window", "moving-window", "sliding-window-counter")
#: Settings a city's production site should fill: start-up warns (never refuses) when empty.
PUBLISHING_SETTINGS = {
    "PUBLIC_URL": "survey links, QR codes and posters use the address an admin browsed from",
    "BULLETIN_ISSUER": "bulletins are issued by a generic monitoring body; posters name no issuer",
    "BULLETIN_CITY": "bulletin titles name no city",
}
log = logging.getLogger("surveyapp.settings")
STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")


def _kind(cast: type) -> str:
    return "an integer" if cast is int else "a number"


def check_environ(environ: Mapping[str, str]) -> None:
    """Refuse malformed ``SURVEYAPP_*`` numbers and booleans, naming each variable."""
    problems = []
    for key, cast in _TYPES.items():
        raw = environ.get(f"SURVEYAPP_{key}")
        if raw is None:
            continue
        try:
            cast(raw)
        except ValueError:
            problems.append(f"SURVEYAPP_{key} must be {_kind(cast)}, got {raw!r}")
    for key in _BOOLS:
        raw = environ.get(f"SURVEYAPP_{key}")
        if raw is not None and raw.strip().lower() not in TRUE_FALSE:
            problems.append(
                f"SURVEYAPP_{key} must be true or false (1/0, yes/no, on/off), got {raw!r}"
            )
    _raise(problems)


def check_settings(settings: Mapping[str, Any]) -> None:
    """Refuse settings the application cannot run with, listing every problem."""
    problems: list[str] = []
    env = settings.get("ENV")
    if env not in ENVS:
        problems.append(f"SURVEYAPP_ENV must be one of {', '.join(ENVS)}, got {env!r}")
    problems += _database_problems(settings.get("DATABASE_URL"))
    for key, (low, high) in RANGES.items():
        value = settings.get(key)
        if value is None:
            continue
        cast = _TYPES.get(key, int)
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
        if cast is int:
            ok_type = ok_type and float(value).is_integer()
        if not ok_type or not math.isfinite(value):
            problems.append(f"SURVEYAPP_{key} must be {_kind(cast)}, got {value!r}")
        elif not low <= value <= high:
            problems.append(f"SURVEYAPP_{key} must be between {low:g} and {high:g}, got {value!r}")
    problems += _ratelimit_problems(settings)
    problems += _public_url_problems(settings.get("PUBLIC_URL"))
    _raise(problems)
    for line in publishing_warnings(settings):
        log.warning(line)


def _public_url_problems(url: Any) -> list[str]:
    """``PUBLIC_URL``: empty, or ``http(s)://host[:port][/path]`` without query or fragment."""
    if not url:
        return []
    try:
        parts = urlsplit(str(url))
        parts.port  # noqa: B018  (raises ValueError for a bad port)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        return [
            "SURVEYAPP_PUBLIC_URL must be an address such as https://survey.example.gov.cn "
            f"(http or https, no query), got {url!r}"
        ]
    return []


def publishing_warnings(settings: Mapping[str, Any]) -> list[str]:
    """One line per publishing setting left empty in production (see PUBLISHING_SETTINGS)."""
    if settings.get("ENV") != "production":
        return []
    return [
        f"SURVEYAPP_{key} is not set: {effect}"
        for key, effect in PUBLISHING_SETTINGS.items()
        if not settings.get(key)
    ]


def check_ratelimit_settings(settings: Mapping[str, Any]) -> None:
    """Refuse malformed ``RATELIMIT_*`` settings (called when the limiter is set up)."""
    _raise(_ratelimit_problems(settings))


def _database_problems(url: Any) -> list[str]:
    if not url:
        return []
    try:
        parsed = make_url(str(url))
    except ArgumentError:
        return [f"DATABASE_URL is not a database URL: {_redact(str(url))!r}"]
    backend = parsed.get_backend_name()
    if backend == "postgres":
        return ["DATABASE_URL: use postgresql+psycopg:// (the postgres:// scheme is not supported)"]
    if backend not in DATABASE_BACKENDS:
        return [
            f"DATABASE_URL: unsupported database {backend!r}; use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/NAME"
        ]
    driver = parsed.get_driver_name()
    if (
        backend == "postgresql"
        and driver != "psycopg"
        and not (driver == "psycopg2" and importlib.util.find_spec("psycopg2") is not None)
    ):
        return [
            f"DATABASE_URL: PostgreSQL driver {driver!r} is not available; "
            "use postgresql+psycopg://"
        ]
    return []


def _ratelimit_problems(settings: Mapping[str, Any]) -> list[str]:
    from limits import parse_many

    problems = []
    for key in [k for k in DEFAULTS if k.startswith("RATELIMIT_")]:
        if key not in settings or key in (
            "RATELIMIT_ENABLED",
            "RATELIMIT_TRUSTED",
            "RATELIMIT_KEY_PREFIX",
        ):
            continue
        value = settings[key]
        if key == "RATELIMIT_STORAGE_URI":
            scheme = str(value).split("://", 1)[0] if "://" in str(value) else ""
            if scheme not in STORAGE_SCHEMES:
                problems.append(
                    f"SURVEYAPP_{key} must start with one of "
                    f"{', '.join(s + '://' for s in STORAGE_SCHEMES)}, got {_redact(str(value))!r}"
                )
        elif key == "RATELIMIT_STRATEGY":
            if value not in RATELIMIT_STRATEGIES:
                problems.append(
                    f"SURVEYAPP_{key} must be one of {', '.join(RATELIMIT_STRATEGIES)}, "
                    f"got {value!r}"
                )
        else:
            try:
                if not parse_many(str(value)):
                    raise ValueError
            except ValueError:
                problems.append(
                    f"SURVEYAPP_{key} must be a rate such as '60/minute;600/hour', got {value!r}"
                )
    if "RATELIMIT_TRUSTED" in settings:
        try:
            trusted_networks(settings["RATELIMIT_TRUSTED"])
        except ValueError as exc:
            problems.append(f"SURVEYAPP_RATELIMIT_TRUSTED: {exc}")
    return problems


def _redact(url: str) -> str:
    """``url`` without a password (``user:secret@`` becomes ``user:***@``)."""
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return url
    credentials, _, rest = tail.rpartition("@")
    if ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{head}://{credentials}@{rest}"


def _raise(problems: list[str]) -> None:
    if problems:
        raise ConfigError(
            "; ".join(problems)
            if len(problems) == 1
            else "bad settings:\n  " + "\n  ".join(problems)
        )


def trusted_networks(spec: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``"10.0.0.0/8, 192.0.2.7"`` as networks; ValueError naming a bad entry."""
    networks = []
    for part in (p.strip() for p in (spec or "").split(",")):
        if part:
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ValueError(f"not an address or network: {part!r}") from None
    return networks

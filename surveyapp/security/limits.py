"""Rate limits on the submission endpoints, and burst flags (Flask-Limiter).

Two limits guard each endpoint marked with :func:`rate_limited`:

- **per source**: the source of a survey page is its address, keyed by its HMAC with
  the application secret, so no raw IP is written to the rate-limit storage either.
  The survey counts *submitted responses* per address, never page posts, against a
  ceiling of :data:`CEILING_FACTOR` times the one per-source threshold
  ``RATELIMIT_BURST`` (a busy venue's Wi-Fi serves 6-7 residents a minute).  The source
  of an API post is its channel key (``RATELIMIT_API_KEY``), never its address: the
  API's authentication names it with :func:`set_source` before the limits are checked.
  The read API, and posts refused for want of a valid key, are counted per address
  (``RATELIMIT_API_CLIENT``; :func:`refused_credential_wait`);
- **per round** (``RATELIMIT_<KIND>_ROUND``): only accepted submissions (201, 303)
  count, so a flood from many addresses cannot push more than that into one round.

A breached limit is a 429 with ``Retry-After``: a JSON error body on the API, and on
the survey the same page again with every answer kept (see the survey blueprint).

Below the ceiling, a source beyond the threshold ``RATELIMIT_BURST`` (default
``100/10minutes`` per address of the survey, per channel key of the API) has its
further responses stored *held for review* (:func:`submission_origin` names the source
and the threshold; :mod:`surveyapp.review.holds` counts the stored responses in the
database): they are not counted until a bureau releases the wave; nothing is silently
dropped.  Addresses in ``RATELIMIT_TRUSTED`` (a service hall's shared Wi-Fi) are exempt
from the per-address limit and the hold, never from the per-round one; a keyed post is
counted per key wherever it comes from.

Storage is in memory by default (one process); ``RATELIMIT_STORAGE_URI``
(``redis://127.0.0.1:6379``) shares the counters between gunicorn workers and
servers.  When that storage is unreachable the limiter falls back to memory and the
survey keeps working.  ``RATELIMIT_ENABLED = False`` turns the limits and the holds off
(the benchmarks do, since all their clients share one address).

Each application gets its own :class:`~flask_limiter.Limiter` (in
``app.extensions``), built from its configuration: a module-level instance would keep
the strategy and storage of the first application it was bound to.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse_many

from surveyapp.config import DEFAULTS
from surveyapp.i18n import t
from surveyapp.ops.logs import log_event
from surveyapp.ops.settings import check_ratelimit_settings, trusted_networks
from surveyapp.review.holds import Origin, parse_threshold
from surveyapp.security.limit_storage import storage_uri

EXTENSION = "surveyapp.limiter"
KINDS = ("survey", "api")
#: The per-source limit of a kind when the source is a channel key (else ``..._CLIENT``).
KEY_LIMITS = {"api": "RATELIMIT_API_KEY"}
ACCEPTED = (201, 303)
#: The survey refuses (429) an address's submissions beyond this many times the
#: per-source threshold ``RATELIMIT_BURST`` in its window; between the two they are held.
CEILING_FACTOR = 10


V = TypeVar("V", bound=Callable[..., Any])


def rate_limited(kind: str) -> Callable[[V], V]:
    """Mark a view as a submission endpoint of ``kind`` (``survey`` or ``api``).

    The limits themselves are attached by :func:`init_limiter`, per application; an
    application without it serves the view unlimited.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rate-limit kind {kind!r}; expected one of {KINDS}")

    def mark(view: V) -> V:
        view.surveyapp_rate_limit = kind  # type: ignore[attr-defined]
        return view

    return mark


def client_key() -> str:
    """This request's address, as an HMAC with the secret (never the raw IP)."""
    key = getattr(g, "_surveyapp_client_key", None)
    if key is None:
        secret = str(current_app.secret_key or "").encode()
        address = (request.remote_addr or "unknown").encode()
        key = hmac.new(secret, address, hashlib.sha256).hexdigest()[:32]
        g._surveyapp_client_key = key
    return key


def set_source(identity: str) -> None:
    """Count this request's limits and bursts under ``identity`` (e.g. ``key:7``), not
    under its address: called by the API once it has verified the request's channel key."""
    g._surveyapp_source = identity


def source_key() -> str:
    """The source limits and burst counts are kept for: the channel key named by
    :func:`set_source`, else the address (:func:`client_key`)."""
    return getattr(g, "_surveyapp_source", None) or client_key()


def _trusted_address() -> bool:
    """A per-source limit is waived for a trusted address, never for a channel key."""
    return getattr(g, "_surveyapp_source", None) is None and is_trusted()


def _round_key() -> str:
    return "round:" + str((request.view_args or {}).get("code", ""))


def is_trusted() -> bool:
    networks = current_app.extensions.get(EXTENSION + ".trusted") or []
    if not networks or not request.remote_addr:
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _accepted(response: Response) -> bool:
    return response.status_code in ACCEPTED


def init_limiter(app: Flask) -> Limiter | None:
    """Attach the limits to every view marked by :func:`rate_limited`; None when disabled.

    Idempotent: a second call on the same application changes nothing.
    """
    if EXTENSION + ".trusted" in app.extensions:
        return app.extensions.get(EXTENSION)
    # the defaults and SURVEYAPP_RATELIMIT_* come with the app config (surveyapp.config)
    for key, value in DEFAULTS.items():
        if key.startswith("RATELIMIT_"):
            app.config.setdefault(key, value)
    check_ratelimit_settings(app.config)
    app.extensions[EXTENSION + ".trusted"] = trusted_networks(app.config["RATELIMIT_TRUSTED"])
    app.register_error_handler(429, too_many_requests)
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    limiter = Limiter(
        key_func=client_key,
        storage_uri=storage_uri(app.config["RATELIMIT_STORAGE_URI"]),  # memory: no timers
        strategy=app.config["RATELIMIT_STRATEGY"],
        in_memory_fallback_enabled=True,
        headers_enabled=False,  # Retry-After is set by too_many_requests
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        enabled=True,
    )
    limiter.init_app(app)
    limited: set[str] = set()
    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, "surveyapp_rate_limit", None)
        if kind is None:
            continue
        upper = kind.upper()
        per_round = limiter.limit(
            _config_value(f"RATELIMIT_{upper}_ROUND"), key_func=_round_key, deduct_when=_accepted
        )
        if kind == "survey":  # submitted responses, not page posts
            per_source = limiter.limit(
                _survey_ceiling,
                key_func=source_key,
                exempt_when=_trusted_address,
                deduct_when=_accepted,
            )
        else:
            per_source = limiter.limit(
                _source_limit(kind), key_func=source_key, exempt_when=_trusted_address
            )
        # Flask-Limiter types its decorators for async views too: the view stays sync
        app.view_functions[endpoint] = cast(Any, per_source(per_round(view)))
        limited.add(endpoint)
    _only_on_limited_endpoints(app, limiter, frozenset(limited))
    app.extensions[EXTENSION] = limiter
    return limiter


def _only_on_limited_endpoints(app: Flask, limiter: Limiter, endpoints: frozenset[str]) -> None:
    """Run Flask-Limiter's application-wide hooks only for the ``endpoints`` it limits.

    Flask-Limiter checks every request before the view (for default and application
    limits, of which this application has none: each limit is attached to a marked view,
    whose decorator checks it), deducts the ``deduct_when`` limits after it and clears
    its per-request state at teardown.  On ``/healthz``, the static files and every page
    without a limit that was a quarter of the request's time (issue 15's profile) for no
    effect.  The marked views keep all three hooks as they were; should a later
    Flask-Limiter register different hooks, they are left as they are (slower, correct).
    """
    if limiter.limit_manager.application_limits or limiter.limit_manager.default_limits:
        return  # a limit on every request: the before-request check must see them all

    def gated(hook: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(hook)
        def run(*args: Any) -> Any:
            if request.endpoint in endpoints:
                return hook(*args)
            return args[0] if args else None  # an after-request hook returns the response

        run.surveyapp_gated = hook  # type: ignore[attr-defined]
        return run

    owned = {
        "before": lambda f: f == limiter._check_request_limit,
        "after": lambda f: getattr(f, "args", None) == (limiter,),
        "teardown": lambda f: getattr(f, "__self__", None) is limiter,
    }
    for kind, funcs in (
        ("before", app.before_request_funcs.get(None, [])),
        ("after", app.after_request_funcs.get(None, [])),
        ("teardown", app.teardown_request_funcs.get(None, [])),
    ):
        for i, func in enumerate(funcs):
            if owned[kind](func):
                funcs[i] = gated(func)


def _config_value(key: str) -> Callable[[], str]:
    return lambda: current_app.config[key]


def _survey_ceiling() -> str:
    """The survey's per-address limit: :data:`CEILING_FACTOR` times the threshold."""
    threshold = parse_threshold(current_app.config["RATELIMIT_BURST"])
    return f"{threshold.count * CEILING_FACTOR}/{threshold.seconds}seconds"


def _source_limit(kind: str) -> Callable[[], str]:
    """``RATELIMIT_<KIND>_CLIENT`` for an address, the kind's key limit for a channel key."""
    by_address = f"RATELIMIT_{kind.upper()}_CLIENT"
    by_key = KEY_LIMITS.get(kind, by_address)

    def value() -> str:
        keyed = getattr(g, "_surveyapp_source", None) is not None
        return current_app.config[by_key if keyed else by_address]

    return value


def submission_origin(channel_key_id: int | None = None) -> Origin:
    """Where the submission of this request comes from, for the hold and the signals.

    The source is the channel key named by :func:`set_source`, else the address
    (:func:`client_key`); the threshold is ``RATELIMIT_BURST``.  A trusted address, or
    an application with ``RATELIMIT_ENABLED = False``, has no threshold (never held).
    A keyed post gives no address: the key is its identity.
    """
    keyed = getattr(g, "_surveyapp_source", None) is not None
    source = source_key()
    threshold = None
    if current_app.extensions.get(EXTENSION) is not None and not _trusted_address():
        threshold = parse_threshold(current_app.config["RATELIMIT_BURST"])
    if keyed:
        label = f"渠道密钥 / channel key {source.removeprefix('key:')}"
    else:
        label = f"地址 / address …{source[-6:]}"
    return Origin(
        source=source,
        address=None if keyed else request.remote_addr,
        threshold=threshold,
        label=label,
        channel_key_id=channel_key_id,
    )


def refused_credential_wait() -> int | None:
    """Count an API post refused for want of a valid key against its address.

    None while the address is within ``RATELIMIT_API_CLIENT``; beyond it, the whole
    seconds until it may try again (the caller answers 429).  Best effort: without a
    limiter, for a trusted address, or with the storage down, nothing is counted.
    """
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    if limiter is None or is_trusted():
        return None
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    try:
        for item in parse_many(current_app.config["RATELIMIT_API_CLIENT"]):
            if not limiter.limiter.hit(item, prefix, "refused", client_key()):
                reset_at, _ = limiter.limiter.get_window_stats(
                    item, prefix, "refused", client_key()
                )
                return min(int(item.get_expiry()), max(1, math.ceil(reset_at - time.time())))
    except Exception:  # storage down: the refusal itself still stands
        logging.getLogger(__name__).warning("refusal counter unavailable", exc_info=True)
    return None


def retry_after(exc: BaseException | None = None) -> int:
    """Whole seconds until the breached limit lets this client in again (at least 1)."""
    limiter: Limiter | None = current_app.extensions.get(EXTENSION)
    current = limiter.current_limit if limiter is not None else None
    if current is not None and current.breached:
        window = int(current.limit.get_expiry())  # reset_at is rounded up to a whole second
        return min(window, max(1, math.ceil(current.reset_at - time.time())))
    if isinstance(exc, RateLimitExceeded):
        return max(1, int(exc.limit.limit.get_expiry()))
    return 60


def too_many_requests(exc: BaseException):
    """429 outside the survey pages: a JSON error on the API, a short text elsewhere."""
    seconds = retry_after(exc)
    headers = {"Retry-After": str(seconds)}
    log_event("rate_limited", endpoint=request.endpoint)
    if request.blueprint == "api":
        from surveyapp.json_errors import error_response

        return error_response(429, "rate_limited", headers, retry_after=seconds)
    from surveyapp.web import current_lang

    return t("rate_limited", current_lang()), 429, headers

"""Channel keys of the submission API: who may post responses as a kiosk, a mini-program
back end, a call centre or a paper data-entry desk (see :mod:`surveyapp.channels.keys`)."""

from surveyapp.channels.keys import (
    CHANNELS,
    MAX_NAME,
    ChannelKeyError,
    KeyCheck,
    KeySource,
    create_key,
    hash_key,
    keys_list,
    parse_rounds,
    revoke_key,
    verify_key,
)

__all__ = [
    "CHANNELS",
    "MAX_NAME",
    "ChannelKeyError",
    "KeyCheck",
    "KeySource",
    "create_key",
    "hash_key",
    "keys_list",
    "parse_rounds",
    "revoke_key",
    "verify_key",
]

"""Monitoring bulletins: prepare from the database, render with :mod:`reports`, publish.

Importing this package registers the :class:`~surveyapp.models.bulletin.Bulletin`
model on ``Base.metadata``.
"""

from surveyapp.bulletins.service import (
    BulletinError,
    BulletinSettings,
    Draft,
    InterimNotConfirmed,
    bulletin_settings,
    open_rounds,
    prepare_bulletin,
    publish_bulletin,
    publish_due,
    rederive_bulletin,
)
from surveyapp.models.bulletin import Bulletin, ImmutableBulletinError

__all__ = [
    "Bulletin",
    "BulletinError",
    "BulletinSettings",
    "Draft",
    "ImmutableBulletinError",
    "InterimNotConfirmed",
    "open_rounds",
    "prepare_bulletin",
    "publish_bulletin",
    "publish_due",
    "rederive_bulletin",
    "bulletin_settings",
]

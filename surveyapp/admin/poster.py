"""The QR codes and posters now live in :mod:`surveyapp.posters` (shared with the rating
pages); this name is kept for the admin routes' import."""

from surveyapp.posters import QUIET_ZONE, PosterText, poster_pdf, qr_code, qr_png

__all__ = ["QUIET_ZONE", "PosterText", "poster_pdf", "qr_code", "qr_png"]

"""Responses: validation, storage, bulk loading, import and export."""

"""Middleware benchmark: surveyapp's /healthz against a bare Flask app's, and submissions."""

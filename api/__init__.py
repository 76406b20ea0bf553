"""Claimbase: structured, sourced claims extracted from news reporting.

- ``api.web``: what runs per request (the app factory, resources, queries, HTTP concerns);
- ``api.builder``: what runs at build time (fixture loading and validation, the build,
  the coverage check, the quote locator);
- ``api.shape``: the wire shape of records, shared by both.

The two meet only through the database: ``api.builder`` writes it, ``api.web`` reads it.
"""

"""Build time: load and validate the fixtures and write the database (``python -m api.builder``)."""

"""The data-access layer: SQL in, plain dicts out.

Views call these functions and never write SQL themselves.
"""

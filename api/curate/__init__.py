"""Curation tools: draft fixtures for a new text, a review page, and a leave-one-out score.

Imports api.build and schemas; api.build never imports this package.
"""

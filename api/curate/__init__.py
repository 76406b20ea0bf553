"""Curation tools: draft fixtures for a new text, a review page, and a leave-one-out score.

Imports api.builder and schemas; api.builder never imports this package.
"""

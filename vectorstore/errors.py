"""Errors raised by the vectorstore package.

Every error derives from :class:`StoreError`, so callers (the API's error handler, the CLI) can
catch the package's failures in one place. Messages name the value at fault and say what to do.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class for every vectorstore failure (bad input, inconsistent collections, ...)."""


class StoreUnavailable(StoreError):
    """The Chroma store cannot be reached or opened (server down, data folder unusable)."""


class EmbedderError(StoreError):
    """The embedding model cannot be found, loaded or used."""

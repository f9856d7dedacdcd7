"""The library's version (one place; written into results, caches and models)."""

__version__ = "0.1.0"

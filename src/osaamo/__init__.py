"""Osaamo: an open-source platform for university micro-credentials."""

__version__ = "0.1.0"

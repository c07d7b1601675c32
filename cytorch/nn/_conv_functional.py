"""Stub: filled by its family."""
__all__ = []

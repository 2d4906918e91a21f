"""Typed async functions, one per named query; no HTTP types here."""

"""Litestar handlers, one module per resource."""

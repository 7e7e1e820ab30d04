"""Taskstar: a self-hostable task tracker served as an HTTP API on Litestar."""

"""The sqlalchemy-sync path's repositories, services and controllers.

Generated from the async modules by ``python3 dev.py twin`` (unasyncd, configured
under ``[tool.unasyncd]`` in pyproject.toml): edit the async code, regenerate,
commit both. CI fails when this package differs from what the async code generates.
"""

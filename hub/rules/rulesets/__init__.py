"""Shipped ruleset files (``national.toml`` and one per locality), read as package data."""

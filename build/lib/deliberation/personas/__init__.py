"""Packaged scenarios: one folder each (scenario.yaml, persona files, source text), read as package data."""

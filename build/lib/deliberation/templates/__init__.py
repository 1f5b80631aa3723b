"""Packaged prompt templates and phrase banks, read as package data."""

"""Scenario authoring: draft a scenario folder from any source text, check it, review it."""

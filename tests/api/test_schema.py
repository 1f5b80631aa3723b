"""Schemathesis against the app's OpenAPI schema, in process: no generated input may cause a 5xx."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from deliberation.api.main import create_app
from hypothesis import HealthCheck, settings

from deliberation.config import Settings
from tests.api.helpers import OPERATOR_KEY, bearer
from tests.factories import REPO

# Collected at import (schemathesis' fixture loader does not run on pytest 9), so a data dir of its own.
_TMP = tempfile.TemporaryDirectory(prefix="deliberation-schema-")
_DATA = Path(_TMP.name) / "data"
_APP = create_app(Settings(data_dir=_DATA, scenarios_dir=REPO / "personas", embedding="lexical",
                           api_keys=[OPERATOR_KEY], rate_limit="100000/minute"))
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=bearer(OPERATOR_KEY), checks=[schemathesis.checks.not_a_server_error])

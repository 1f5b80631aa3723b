"""Text from outside (API bodies): lone surrogates and NUL are refused at the edge, before anything stores them."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    found = _SURROGATE.search(value)
    if found:
        raise ValueError(f"text may not contain a lone surrogate (U+{ord(found.group(0)):04X} at {found.start()})")
    return value


CleanText = Annotated[str, AfterValidator(_clean)]
"""A str that encodes as UTF-8 and holds no NUL."""

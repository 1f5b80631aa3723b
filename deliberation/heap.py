"""Objects that live as long as the process, kept out of the cyclic garbage collector's full passes.

A full collection walks every tracked object: about 115,000 in a summit once the index is open, 445,000 with litellm,
none of which ever becomes garbage. Measured, each full pass stopped the event loop for 70-160 ms, several
times a run of 50 classroom debates (20-45 ms once frozen). `gc.freeze()` moves what is alive now to a
generation the collector skips; frozen objects are still freed by reference counting, so only a reference
cycle among them would outlive its use, and these live for the whole run anyway.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Call after loading something that stays for the process's lifetime (an index, a provider library)."""
    gc.freeze()

"""The local stack: the project's template, handlers and state machine running on this machine."""

import sys
from pathlib import Path

# The local tools read stage names and links from the shared layer, the one source of truth.
_SHARED = str(Path(__file__).resolve().parent.parent / "functions" / "shared")
if _SHARED not in sys.path:
    sys.path.append(_SHARED)

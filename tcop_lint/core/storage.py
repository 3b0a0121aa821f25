"""Where tcop-lint keeps data it derives once and reuses (the user's cache folder), and writing
there safely. The folder is process state set by the scan that owns it, read by the licence
reference's cache of prepared texts."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

# Where data worked out once per installation rather than per file (the normalised licence
# reference texts) may be kept: the cache folder of the scan under way, set when it loads.
_data_folder: Path | None = None


def keep_data_in(directory: Path | None) -> None:
    global _data_folder
    _data_folder = directory


def data_folder() -> Path | None:
    return _data_folder


def write_atomically(path: Path, value: object, header: bytes = b"") -> bool:
    """Pickle ``value`` to a temporary file beside ``path`` and rename it into place, so a
    reader never sees half a file; False (and nothing left behind) when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError:
        return False
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(header)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        return False
    return True

"""On-disk cache of per-case feature vectors, keyed by content.

The key is the SHA-256 of the image bytes, the mask bytes, the parameter file bytes, the label
and the pyradiomics version. A cached vector is therefore reused exactly when re-extraction
would compute the same numbers, whatever the files are called or where they live. Each entry is one
JSON file written to a temporary name and moved into place with :func:`os.replace`, which is
atomic on POSIX and Windows: a run killed at any moment leaves either a complete entry or none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

_CHUNK_BYTES = 1 << 20


def hash_path(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file, or of every file in a folder (DICOM series).

    Files of a folder are hashed in sorted order of their relative paths, together with those
    paths, so renaming a slice changes the digest.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    """
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir():
        for file in sorted(item for item in path.rglob("*") if item.is_file()):
            digest.update(file.relative_to(path).as_posix().encode())
            _update_with_file(digest, file)
    else:
        _update_with_file(digest, path)
    return digest.hexdigest()


def _update_with_file(digest: "hashlib._Hash", path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)


def case_key(image_sha256: str, mask_sha256: str, params_sha256: str, label: int, pyradiomics_version: str) -> str:
    """Combine the content digests, label and pyradiomics version into one cache key (hex)."""
    text = "\n".join(["mblstats-features-v1", image_sha256, mask_sha256, params_sha256, str(int(label)), pyradiomics_version])
    return hashlib.sha256(text.encode()).hexdigest()


class FeatureCache:
    """A folder of cached feature vectors, one JSON file per key.

    Parameters
    ----------
    directory : str or Path
        Created if missing. Entries live in two-character sub-folders of the key.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, float] | None:
        """Return the cached feature vector for ``key``, or None when absent or unreadable."""
        path = self._path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            entry = json.loads(text)
            return {name: float(value) for name, value in entry["features"].items()}
        except (ValueError, KeyError, TypeError) as error:
            # Atomic writes make this unreachable for entries mblstats wrote; a damaged file is recomputed.
            logger.warning("cache entry %s is unreadable (%s); the case will be extracted again", path, error)
            return None

    def put(self, key: str, features: dict[str, float], *, case_id: str = "") -> Path:
        """Store a feature vector atomically and return the entry's path.

        Floats are written with :func:`repr` precision, so values read back are bit-identical;
        NaN and infinities are stored as JSON strings.
        """
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {
            "case_id": case_id,
            "features": {name: _encode(value) for name, value in features.items()},
        }
        handle, temporary = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob("??/*.json"))


def _encode(value: float) -> float | str:
    value = float(value)
    return value if math.isfinite(value) else repr(value)

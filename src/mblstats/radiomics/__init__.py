"""Radiomics step of the mblstats pipeline: parameter files, batch extraction, cache, failures."""

from mblstats.radiomics.extraction import (
    FAILURE_COLUMNS,
    ExtractionFailedError,
    ExtractionResult,
    extract_features,
    output_paths,
    read_failures,
    read_features,
    write_result,
)
from mblstats.radiomics.manifest import MANIFEST_COLUMNS, read_manifest
from mblstats.radiomics.params import (
    SHIPPED_PARAMS,
    count_features,
    describe_params,
    load_params,
    params_sha256,
    resolve_params,
)

__all__ = [
    "FAILURE_COLUMNS",
    "MANIFEST_COLUMNS",
    "SHIPPED_PARAMS",
    "ExtractionFailedError",
    "ExtractionResult",
    "count_features",
    "describe_params",
    "extract_features",
    "load_params",
    "output_paths",
    "params_sha256",
    "read_failures",
    "read_features",
    "read_manifest",
    "resolve_params",
    "write_result",
]

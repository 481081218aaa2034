"""Re-executable statistics for predicting massive intraoperative blood loss (MBL).

The package mirrors the analysis pipeline: ``cohort`` (clinical tables), ``imaging``
(image and mask input), ``radiomics`` (feature extraction), ``stats`` (pure statistics),
``selection`` (feature reduction), ``models`` (model families and validation), ``plots``
(figures) and ``book`` (notebook execution and the Jupyter Book build).
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

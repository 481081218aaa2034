"""Run directory layout, chapter execution with papermill, the Jupyter Book build and sweeps."""

"""selection step of the mblstats pipeline."""

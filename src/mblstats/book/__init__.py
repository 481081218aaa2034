"""book step of the mblstats pipeline."""

"""Figures only: each function draws results computed elsewhere on a matplotlib ``ax``."""

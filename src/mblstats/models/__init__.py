"""Splits, the model families (logistic and network), cross-validation, bootstrap optimism
and the permutation null test."""

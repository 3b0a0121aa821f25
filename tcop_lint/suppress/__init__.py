"""Suppress: inline and configured suppressions, the baseline and pull-request marking."""

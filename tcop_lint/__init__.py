"""tcop-lint: evidence signals for the UK Technology Code of Practice."""

__version__ = "0.1.0"

"""Discover: which files a scan covers (git-aware, excludes, the scope)."""

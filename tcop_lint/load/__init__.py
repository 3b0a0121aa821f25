"""Load: each file read once, confined to the root, parsed into typed views (in worker processes, cached)."""

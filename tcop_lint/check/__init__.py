"""Check: the catalogue, the rule registry and the engine that runs rules on subjects."""

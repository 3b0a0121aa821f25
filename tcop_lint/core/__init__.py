"""The frozen model and the small primitives every phase shares."""

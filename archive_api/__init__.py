"""`archive serve`: a read-only HTTP API over the index, for notebooks and other tools."""

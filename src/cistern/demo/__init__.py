"""The demo district: a deterministic, realistic district built by ``cistern demo``."""

"""Pure ledger rules: entry validation, content hashing, aging. No Django, no clock."""

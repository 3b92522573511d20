"""Views for the district-wide screens: audit trail, district settings, business calendar."""

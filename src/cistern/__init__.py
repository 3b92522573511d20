"""Cistern: customer information and billing for water and wastewater utilities."""

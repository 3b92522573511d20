"""Shared fixtures. The named cast of demo staff, one per role, lives in tests/factories."""

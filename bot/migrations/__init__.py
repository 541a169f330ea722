"""Alembic migrations for the approvals and audit tables; applied at start and by `python -m bot migrate`."""

"""Alembic environment: the bot hands over an open connection (see bot.approvals.store.migrate), already
holding the lock that keeps several workers from migrating at once."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()

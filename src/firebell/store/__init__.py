"""The SQLAlchemy store: models, engine, unit of work, repositories."""

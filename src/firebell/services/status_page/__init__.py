"""Use cases of the public status page: public updates (drafted, approved, published), and the page revision."""

"""Pure clinical rules and models: stdlib and pydantic only, no I/O of any kind."""

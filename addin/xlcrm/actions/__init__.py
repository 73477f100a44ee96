"""The use cases the ribbon buttons and the CLI commands name. Each reads through a Book,
calls the core, and writes through the same Book."""

"""What every stage shares: the project's config, diagnostics, paths and files inside the project, YAML with lines."""

"""kitei's overrides of Django management commands."""

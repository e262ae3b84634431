"""Admin for its feature (filled by the feature)."""

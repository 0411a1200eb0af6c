"""Template tags of kitei's own pages."""

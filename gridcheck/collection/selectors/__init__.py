"""Collection selectors (they read state): one module per part of the work."""

"""Business census (营业普查)."""

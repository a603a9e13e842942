"""Business census (营业普查): the models."""

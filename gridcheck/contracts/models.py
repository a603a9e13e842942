"""Supply contracts (供用电合同): the models."""

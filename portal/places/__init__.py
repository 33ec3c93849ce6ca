"""County → township → village, each with its 12-digit statistical division code."""

"""The shared kernel every feature leans on."""

"""The demo county (云溪县): deterministic sample data for every feature."""

"""PDF and Excel building blocks shared by features (fonts, page templates, table styles)."""

"""The home page of each role: what is waiting for them."""

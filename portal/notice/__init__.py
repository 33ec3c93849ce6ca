"""The public notice board (公示栏) of each village: open to anyone, no login."""

"""Users, login and logout, passwords, sessions and personal API tokens."""

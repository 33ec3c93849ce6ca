"""Monitoring of workshops (动态监测): the state follows reports and employment."""

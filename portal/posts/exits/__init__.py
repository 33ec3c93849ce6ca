"""Exits in order (Rule 4, 有序退岗): proposals, approval, appeals, the exit notice."""

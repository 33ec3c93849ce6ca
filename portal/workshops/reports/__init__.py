"""Monthly reports of workshops (月调度): filing and the months of a workshop."""

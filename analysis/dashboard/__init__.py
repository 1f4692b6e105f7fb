"""The officials' dashboard in the Wagtail admin: stored results, shown."""

"""The public status page: Statuspage's vocabulary, its part of the policy file, and the page worked out from
published updates and maintenance windows (pure: `now` is passed in)."""

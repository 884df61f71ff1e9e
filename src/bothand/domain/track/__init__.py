"""Track: reading an episode's scores over time (progress by named, sourced profiles)."""

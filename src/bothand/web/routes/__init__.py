"""Route modules: ``api`` (JSON), ``flow`` (the decision flow pages), ``learn`` (decision-aid
pages per condition and treatment)."""

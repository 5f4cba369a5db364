"""The product's rules: pure functions of data, a date and a policy (no Slack, database or clock)."""

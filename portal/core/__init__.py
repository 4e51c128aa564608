"""The shared vocabulary every domain uses, pure: duty and training rules, roles, labels, time, the plan."""

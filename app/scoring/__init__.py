"""Pure scoring engine (DESIGN §4) and validation of a cycle's scoring policy."""

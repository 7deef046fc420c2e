"""Comments on goals, KPRs and evaluations, with mentions (DESIGN §12): people discuss results where they live."""

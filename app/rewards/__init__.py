"""Reward runs (DESIGN §11): from final ratings to amounts."""

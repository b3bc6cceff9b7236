"""Recipes that train and evaluate the relation stage (issue #5)."""

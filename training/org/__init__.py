"""Recipes that rebuild the ORG tagger: ``python -m training.org.train`` then
``python -m training.org.evaluate`` (data loaders in :mod:`training.org.data`)."""

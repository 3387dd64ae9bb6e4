"""llmdive: a terminal companion for The LLM Deep Dive reading list."""

__version__ = "0.1.0"

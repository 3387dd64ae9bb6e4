"""Output: the terminal writer (the one door for text), layout, views, JSON."""

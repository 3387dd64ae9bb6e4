"""The network: link checks and their kept results, and the browser."""

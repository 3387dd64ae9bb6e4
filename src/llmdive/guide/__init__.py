"""The guide: the catalogue, README import and export, updates that carry ids, downloads."""

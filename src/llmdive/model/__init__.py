"""The data model and its vocabulary: models, strict input shapes, URLs, ids, safe text."""

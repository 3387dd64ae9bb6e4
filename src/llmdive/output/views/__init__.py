"""The views: one module per command group of the CLI (mirroring llmdive.cli), and
`common`, the pieces they share. A view takes a Writer and core values, and writes lines."""

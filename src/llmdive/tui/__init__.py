"""The interactive reader (`llmdive tui`): a Textual front end over the same core as cli/."""

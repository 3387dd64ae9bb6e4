"""The reader's record: events, progress, personal links, undo, merges, sync, doctor, exports."""

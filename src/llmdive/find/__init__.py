"""Finding: search (words, typos, the field's acronyms) and the planner of `next`."""

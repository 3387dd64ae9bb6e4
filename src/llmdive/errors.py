"""The one error type a user sees."""


class LlmdiveError(Exception):
    """A problem the user can act on; the CLI prints its message on stderr and exits 1.

    The message may hold several lines when several problems are found at once
    (one per problem, e.g. a catalogue that fails validation in three places).
    """

"""The files of the llmdive home: where they live, how they are written, locked and read."""

from llmdive.cli import main

main()

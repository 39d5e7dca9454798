from kgov.cli import main

main()

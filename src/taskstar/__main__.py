from taskstar.cli import main

main()

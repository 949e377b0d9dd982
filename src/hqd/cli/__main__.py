from hqd.cli import main

main()

from coverage_cmp.cli import main

main()

from kraftsamling.cli import main

main()

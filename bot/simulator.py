"""`python -m bot.simulator`: the sandbox's fake LogicBoxes (bot.sandbox.simulator), at the name
the README has always given, so scripts and the benchmark that start it keep working."""

from bot.sandbox.simulator import main

if __name__ == "__main__":
    main()

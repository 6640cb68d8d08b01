"""The `aid` command line itself: the app and its list of commands (main.py), each command
built only when it runs (command_tree.py), and the options every command shares (options.py).
The commands live in their rooms beside this folder."""

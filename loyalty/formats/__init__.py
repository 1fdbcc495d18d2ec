"""Date and time formats of the staff admin (FORMAT_MODULE_PATH): the project is UTC."""

"""The people of an organisation and their programme roles."""

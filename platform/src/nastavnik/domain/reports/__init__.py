"""The programme's final documents: the report on its realisation and thank-you letters."""

"""The demo region: its seed and its people in the development issuer. Refused in production."""
